// The plug-in's side of the bridge: a TCP listener for one adapter, hello, heartbeats both ways, frames.
// Free of NinjaTrader types (C# 7); the NinjaScript AddOn and the test harness share it. docs/bridge-protocol.md.
using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace NexusGw.Bridge
{
    /// <summary>
    /// Listens on a port; one adapter at a time (a newer connection replaces an older one: the adapter restarted).
    /// The first frame must be a hello of protocol version <see cref="BridgeCodec.Version"/>; the answer is this
    /// side's hello, or an error frame and a close. Then every frame but heartbeats goes to <see cref="FrameReceived"/>
    /// (on the reader thread). An adapter silent for HeartbeatTimeoutMs is dropped. A frame that is not JSON or has
    /// an unknown type is answered with an error frame and skipped; an oversized length prefix ends the connection.
    /// </summary>
    public sealed class BridgeServer : IDisposable
    {
        static readonly HashSet<string> FromAdapter = new HashSet<string> { "hello", "heartbeat", "subscribe", "place", "cancel", "report_request" };

        readonly IPAddress address;
        readonly object writeLock = new object();
        TcpListener listener;
        TcpClient client;
        NetworkStream stream;
        volatile bool up;
        volatile bool stopping;
        Thread acceptThread;
        Thread heartbeatThread;

        public int Port { get; private set; }
        public int ProtocolVersion = BridgeCodec.Version;
        public int HeartbeatIntervalMs = 2000;
        public int HeartbeatTimeoutMs = 6000;
        public string Platform = "NinjaTrader 8";
        /// <summary>When true nothing is sent, heartbeats included (tests: a plug-in that stops answering).</summary>
        public volatile bool Muted;

        /// <summary>Checks the adapter's hello; returns the account to trade, or throws with the reason to refuse.</summary>
        public Func<Dictionary<string, object>, string> AcceptHello = hello => BridgeCodec.Text(hello, "account");
        public event Action<Dictionary<string, object>> FrameReceived;
        public event Action<string> Connected;
        public event Action<string> Disconnected;
        public event Action<string> Log;

        public BridgeServer(IPAddress address, int port)
        {
            this.address = address;
            Port = port;
        }

        public bool IsUp { get { return up; } }

        public void Start()
        {
            listener = new TcpListener(address, Port);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "nexus-bridge-accept" };
            acceptThread.Start();
            heartbeatThread = new Thread(HeartbeatLoop) { IsBackground = true, Name = "nexus-bridge-heartbeat" };
            heartbeatThread.Start();
        }

        public void Dispose()
        {
            stopping = true;
            try { if (listener != null) listener.Stop(); } catch (SocketException) { }
            Drop("the plug-in stopped");
        }

        /// <summary>Sends one frame if an adapter is connected and said hello; false otherwise.</summary>
        public bool Send(Dictionary<string, object> frame)
        {
            if (!up) return false;
            return Write(BridgeCodec.Encode(frame));
        }

        /// <summary>Writes raw bytes (tests: malformed frames).</summary>
        public bool SendRaw(byte[] data)
        {
            return Write(data);
        }

        /// <summary>Writes raw bytes and shuts the sending side before any other frame can follow them, then ends
        /// the connection (tests: a frame cut short by a disconnect).</summary>
        public void SendRawThenDrop(byte[] data, string reason)
        {
            lock (writeLock)
            {
                if (stream != null)
                {
                    try
                    {
                        stream.Write(data, 0, data.Length);
                        client.Client.Shutdown(SocketShutdown.Send);
                    }
                    catch (Exception e)
                    {
                        if (!(e is IOException || e is ObjectDisposedException || e is SocketException)) throw;
                    }
                }
            }
            Drop(reason);
        }

        /// <summary>Ends the current connection (the adapter reconnects by itself).</summary>
        public void Drop(string reason)
        {
            TcpClient old;
            lock (writeLock)
            {
                old = client;
                client = null;
                stream = null;
                up = false;
            }
            if (old != null)
            {
                try { old.Close(); } catch (Exception) { }
                Say("adapter connection closed: " + reason);
                var handler = Disconnected;
                if (handler != null) handler(reason);
            }
        }

        bool Write(byte[] data)
        {
            if (Muted) return true;
            lock (writeLock)
            {
                if (stream == null) return false;
                try
                {
                    stream.Write(data, 0, data.Length);
                    return true;
                }
                catch (Exception e)
                {
                    if (!(e is IOException || e is ObjectDisposedException || e is SocketException)) throw;
                }
            }
            Drop("write failed");
            return false;
        }

        void Say(string line)
        {
            var handler = Log;
            if (handler != null) handler(line);
        }

        void AcceptLoop()
        {
            while (!stopping)
            {
                TcpClient accepted;
                try { accepted = listener.AcceptTcpClient(); }
                catch (Exception) { if (stopping) return; Thread.Sleep(100); continue; }
                Drop("a new adapter connection replaces it");
                accepted.NoDelay = true;
                lock (writeLock)
                {
                    client = accepted;
                    stream = accepted.GetStream();
                    stream.ReadTimeout = HeartbeatTimeoutMs;
                }
                var reader = new Thread(() => ReadLoop(accepted)) { IsBackground = true, Name = "nexus-bridge-read" };
                reader.Start();
            }
        }

        void HeartbeatLoop()
        {
            while (!stopping)
            {
                Thread.Sleep(HeartbeatIntervalMs);
                if (!up) continue;
                var beat = BridgeCodec.Frame("heartbeat");
                beat["ts"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                Send(beat);
            }
        }

        static bool ReadExactly(Stream s, byte[] buffer, out int got)
        {
            got = 0;
            while (got < buffer.Length)
            {
                int n = s.Read(buffer, got, buffer.Length - got);
                if (n == 0) return false;
                got += n;
            }
            return true;
        }

        void ReadLoop(TcpClient own)
        {
            string reason = "the adapter closed the connection";
            try
            {
                Stream s = own.GetStream();
                var header = new byte[4];
                while (!stopping)
                {
                    int got;
                    if (!ReadExactly(s, header, out got))
                    {
                        if (got > 0) reason = "the adapter closed the connection in the middle of a frame header";
                        break;
                    }
                    int length = BridgeCodec.Length(header);
                    var payload = new byte[length];
                    if (!ReadExactly(s, payload, out got))
                    {
                        reason = "the adapter closed the connection in the middle of a frame (" + got + " of " + length + " bytes)";
                        break;
                    }
                    if (!Handle(payload, own)) { reason = "refused the adapter's hello"; break; }
                }
            }
            catch (FrameTooLargeException e) { reason = e.Message; SendError(e.Message); }
            catch (IOException e) { reason = "read failed or the adapter was silent for " + HeartbeatTimeoutMs + " ms: " + e.Message; }
            catch (ObjectDisposedException) { reason = "closed"; }
            lock (writeLock) { if (client != own) return; }
            Drop(reason);
        }

        void SendError(string reason)
        {
            var error = BridgeCodec.Frame("error");
            error["reason"] = reason;
            Write(BridgeCodec.Encode(error));
        }

        /// <summary>Handles one payload; false when the connection must end.</summary>
        bool Handle(byte[] payload, TcpClient own)
        {
            Dictionary<string, object> frame;
            string type;
            try
            {
                frame = BridgeCodec.Decode(payload);
                type = BridgeCodec.Text(frame, "type");
            }
            catch (BridgeFormatException e)
            {
                Say("bad frame skipped: " + e.Message);
                SendError("bad frame skipped: " + e.Message);
                return true;
            }
            if (!FromAdapter.Contains(type))
            {
                Say("frame of unknown type '" + type + "' skipped");
                SendError("unknown frame type '" + type + "' skipped");
                return true;
            }
            if (type == "hello") return Hello(frame);
            if (!up)
            {
                SendError("a " + type + " frame before the hello; say hello first");
                return false;
            }
            if (type == "heartbeat") return true;
            var handler = FrameReceived;
            if (handler == null) return true;
            try { handler(frame); }
            catch (BridgeFormatException e)
            {
                Say("bad " + type + " frame skipped: " + e.Message);
                SendError("bad " + type + " frame skipped: " + e.Message);
            }
            return true;
        }

        bool Hello(Dictionary<string, object> frame)
        {
            string account;
            try
            {
                double version = BridgeCodec.Number(frame, "version");
                if (version != ProtocolVersion)
                    throw new BridgeFormatException("the adapter speaks bridge protocol version " + version + ", this plug-in version " + ProtocolVersion + "; install matching versions");
                account = AcceptHello(frame);
            }
            catch (Exception e)
            {
                Say("hello refused: " + e.Message);
                SendError("hello refused: " + e.Message);
                return false;
            }
            var reply = BridgeCodec.Frame("hello");
            reply["version"] = (long)ProtocolVersion;
            reply["account"] = account;
            reply["platform"] = Platform;
            up = true;
            if (!Send(reply)) return false;
            Say("adapter connected (account " + account + ")");
            var handler = Connected;
            if (handler != null) handler(account);
            return true;
        }
    }
}
