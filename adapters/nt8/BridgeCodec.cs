// The bridge protocol's codec: frames are a 4-byte big-endian payload length, then a UTF-8 JSON object.
// Free of NinjaTrader types and of any library (C# 7, .NET Framework 4.5+): the NinjaScript AddOn and the test
// harness share it. The reference is docs/bridge-protocol.md; the Python side is nexus_gw/adapters/bridge/.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NexusGw.Bridge
{
    /// <summary>A payload that is not a JSON object, or a frame with a missing or mistyped field.</summary>
    public sealed class BridgeFormatException : Exception
    {
        public BridgeFormatException(string message) : base(message) { }
    }

    /// <summary>A length prefix above the limit: the stream is out of step, drop the connection.</summary>
    public sealed class FrameTooLargeException : Exception
    {
        public FrameTooLargeException(string message) : base(message) { }
    }

    /// <summary>JSON values as Dictionary&lt;string, object&gt;, List&lt;object&gt;, string, long, double, bool, null.</summary>
    public static class Json
    {
        public static string Write(object value)
        {
            var sb = new StringBuilder();
            WriteValue(sb, value);
            return sb.ToString();
        }

        static void WriteValue(StringBuilder sb, object value)
        {
            if (value == null) { sb.Append("null"); return; }
            var s = value as string;
            if (s != null) { WriteString(sb, s); return; }
            if (value is bool) { sb.Append((bool)value ? "true" : "false"); return; }
            if (value is int || value is long || value is short)
            {
                sb.Append(Convert.ToInt64(value).ToString(CultureInfo.InvariantCulture));
                return;
            }
            if (value is double || value is float || value is decimal)
            {
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d))
                    throw new BridgeFormatException("JSON has no NaN or infinity: " + d);
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                return;
            }
            var dict = value as IDictionary<string, object>;
            if (dict != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (var pair in dict)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, pair.Key);
                    sb.Append(':');
                    WriteValue(sb, pair.Value);
                }
                sb.Append('}');
                return;
            }
            var list = value as System.Collections.IEnumerable;
            if (list != null)
            {
                sb.Append('[');
                bool first = true;
                foreach (var item in list)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteValue(sb, item);
                }
                sb.Append(']');
                return;
            }
            throw new BridgeFormatException("cannot write a " + value.GetType().Name + " as JSON");
        }

        static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4"));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        public static object Parse(string text)
        {
            int pos = 0;
            object value = ParseValue(text, ref pos, 0);
            SkipSpace(text, ref pos);
            if (pos != text.Length) throw Error(text, pos, "text after the JSON value");
            return value;
        }

        static BridgeFormatException Error(string text, int pos, string what)
        {
            return new BridgeFormatException("invalid JSON at character " + pos + ": " + what);
        }

        static void SkipSpace(string text, ref int pos)
        {
            while (pos < text.Length && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r'))
                pos++;
        }

        static object ParseValue(string text, ref int pos, int depth)
        {
            if (depth > 32) throw Error(text, pos, "nested too deeply");
            SkipSpace(text, ref pos);
            if (pos >= text.Length) throw Error(text, pos, "unexpected end");
            char c = text[pos];
            if (c == '{') return ParseObject(text, ref pos, depth);
            if (c == '[') return ParseArray(text, ref pos, depth);
            if (c == '"') return ParseString(text, ref pos);
            if (Literal(text, ref pos, "true")) return true;
            if (Literal(text, ref pos, "false")) return false;
            if (Literal(text, ref pos, "null")) return null;
            return ParseNumber(text, ref pos);
        }

        static bool Literal(string text, ref int pos, string word)
        {
            if (string.CompareOrdinal(text, pos, word, 0, word.Length) != 0) return false;
            pos += word.Length;
            return true;
        }

        static Dictionary<string, object> ParseObject(string text, ref int pos, int depth)
        {
            var result = new Dictionary<string, object>();
            pos++;
            SkipSpace(text, ref pos);
            if (pos < text.Length && text[pos] == '}') { pos++; return result; }
            while (true)
            {
                SkipSpace(text, ref pos);
                if (pos >= text.Length || text[pos] != '"') throw Error(text, pos, "expected a key");
                string key = ParseString(text, ref pos);
                SkipSpace(text, ref pos);
                if (pos >= text.Length || text[pos] != ':') throw Error(text, pos, "expected ':'");
                pos++;
                result[key] = ParseValue(text, ref pos, depth + 1);
                SkipSpace(text, ref pos);
                if (pos >= text.Length) throw Error(text, pos, "unexpected end in an object");
                if (text[pos] == ',') { pos++; continue; }
                if (text[pos] == '}') { pos++; return result; }
                throw Error(text, pos, "expected ',' or '}'");
            }
        }

        static List<object> ParseArray(string text, ref int pos, int depth)
        {
            var result = new List<object>();
            pos++;
            SkipSpace(text, ref pos);
            if (pos < text.Length && text[pos] == ']') { pos++; return result; }
            while (true)
            {
                result.Add(ParseValue(text, ref pos, depth + 1));
                SkipSpace(text, ref pos);
                if (pos >= text.Length) throw Error(text, pos, "unexpected end in an array");
                if (text[pos] == ',') { pos++; continue; }
                if (text[pos] == ']') { pos++; return result; }
                throw Error(text, pos, "expected ',' or ']'");
            }
        }

        static string ParseString(string text, ref int pos)
        {
            var sb = new StringBuilder();
            pos++;
            while (true)
            {
                if (pos >= text.Length) throw Error(text, pos, "unterminated string");
                char c = text[pos++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (pos >= text.Length) throw Error(text, pos, "unterminated escape");
                char e = text[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (pos + 4 > text.Length) throw Error(text, pos, "short \\u escape");
                        int code;
                        if (!int.TryParse(text.Substring(pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out code))
                            throw Error(text, pos, "bad \\u escape");
                        sb.Append((char)code);
                        pos += 4;
                        break;
                    default: throw Error(text, pos, "unknown escape \\" + e);
                }
            }
        }

        static object ParseNumber(string text, ref int pos)
        {
            int start = pos;
            bool integral = true;
            while (pos < text.Length && "+-0123456789.eE".IndexOf(text[pos]) >= 0)
            {
                if (text[pos] == '.' || text[pos] == 'e' || text[pos] == 'E') integral = false;
                pos++;
            }
            string token = text.Substring(start, pos - start);
            if (token.Length == 0) throw Error(text, start, "unexpected character '" + text[start] + "'");
            long l;
            if (integral && long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)) return l;
            double d;
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return d;
            throw Error(text, start, "bad number " + token);
        }
    }

    /// <summary>Encoding, decoding and reading fields of frames.</summary>
    public static class BridgeCodec
    {
        public const int Version = 1;
        public const int MaxFrame = 1 << 20;

        public static byte[] Encode(Dictionary<string, object> frame)
        {
            byte[] payload = Encoding.UTF8.GetBytes(Json.Write(frame));
            if (payload.Length > MaxFrame) throw new FrameTooLargeException("frame of " + payload.Length + " bytes exceeds " + MaxFrame);
            var data = new byte[4 + payload.Length];
            data[0] = (byte)(payload.Length >> 24);
            data[1] = (byte)(payload.Length >> 16);
            data[2] = (byte)(payload.Length >> 8);
            data[3] = (byte)payload.Length;
            Buffer.BlockCopy(payload, 0, data, 4, payload.Length);
            return data;
        }

        /// <summary>The payload length a 4-byte header announces; throws when it exceeds MaxFrame.</summary>
        public static int Length(byte[] header)
        {
            long length = ((long)header[0] << 24) | ((long)header[1] << 16) | ((long)header[2] << 8) | header[3];
            if (length > MaxFrame) throw new FrameTooLargeException("frame length " + length + " exceeds the limit of " + MaxFrame + " bytes");
            return (int)length;
        }

        public static Dictionary<string, object> Decode(byte[] payload)
        {
            string text;
            try { text = new UTF8Encoding(false, true).GetString(payload); }
            catch (ArgumentException) { throw new BridgeFormatException("frame payload is not UTF-8"); }
            var frame = Json.Parse(text) as Dictionary<string, object>;
            if (frame == null) throw new BridgeFormatException("frame payload is not a JSON object");
            if (!(Get(frame, "type") is string)) throw new BridgeFormatException("frame has no 'type'");
            return frame;
        }

        public static Dictionary<string, object> Frame(string type)
        {
            return new Dictionary<string, object> { { "type", type } };
        }

        static object Get(Dictionary<string, object> frame, string key)
        {
            object value;
            return frame.TryGetValue(key, out value) ? value : null;
        }

        public static string Text(Dictionary<string, object> frame, string key)
        {
            var value = Get(frame, key) as string;
            if (value == null) throw new BridgeFormatException("field '" + key + "' should be a string");
            return value;
        }

        public static double Number(Dictionary<string, object> frame, string key)
        {
            object value = Get(frame, key);
            if (value is long) return (long)value;
            if (value is double) return (double)value;
            throw new BridgeFormatException("field '" + key + "' should be a number");
        }

        /// <summary>A number, or NaN when the field is null or absent.</summary>
        public static double OptionalNumber(Dictionary<string, object> frame, string key)
        {
            return Get(frame, key) == null ? double.NaN : Number(frame, key);
        }

        public static List<object> List(Dictionary<string, object> frame, string key)
        {
            var value = Get(frame, key) as List<object>;
            if (value == null) throw new BridgeFormatException("field '" + key + "' should be a list");
            return value;
        }
    }
}
