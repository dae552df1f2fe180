// A stand-in for NinjaTrader 8 with the NexusBridge AddOn, for tests and local stacks: the real bridge transport
// and codec (../BridgeTransport.cs, ../BridgeCodec.cs) in front of a simulated account (orders, partial and full
// fills, cancels, rejects, positions) and a random-walk market.
//
//   mono harness.exe --port 0 --account Sim101 --instruments "NQ 12-26=21000,ES 12-26=6000" [--version 1]
//
// With --serve it ignores stdin and runs until killed (a local stack's companion); otherwise it quits at the end
// of stdin. Prints "listening on 127.0.0.1:<port>" when ready and "placed <leg> <order id>" for every order it places.
// Reads commands on stdin, one a line: drop (close the adapter's connection), mute / unmute (stop / resume
// answering, heartbeats included), hold / release (keep fills back / let them happen), raw-oversized,
// raw-truncated, raw-unknown, raw-badjson (write a malformed frame), json <object> (decode and re-encode), quit.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading;
using NexusGw.Bridge;

namespace NexusGw.Harness
{
    sealed class SimOrder
    {
        public string Leg, OrderId, Instrument, Side, Type, State = "ACCEPTED", Reason = "";
        public double Qty, Limit, Stop, Filled, AvgPrice;
        public DateTime NextFill = DateTime.MinValue;
        public bool Triggered;
        public bool Working { get { return State == "ACCEPTED" || State == "WORKING" || State == "PARTFILLED"; } }
    }

    sealed class Quote
    {
        public double Bid, Ask, Last, TickSize = 0.25;
    }

    static class Program
    {
        static readonly object gate = new object();
        static readonly Dictionary<string, Quote> quotes = new Dictionary<string, Quote>();
        static readonly Dictionary<string, SimOrder> orders = new Dictionary<string, SimOrder>();
        static readonly List<Dictionary<string, object>> executions = new List<Dictionary<string, object>>();
        static readonly Dictionary<string, double> positions = new Dictionary<string, double>();
        static readonly HashSet<string> subscribed = new HashSet<string>();
        static readonly Random random = new Random(7);
        static BridgeServer server;
        static string account = "Sim101";
        static int fillDelayMs = 30;
        static volatile bool hold;
        static int nextExec = 1;

        static int Main(string[] args)
        {
            int port = 9001;
            int version = BridgeCodec.Version;
            bool serve = false;
            string instruments = "NQ 12-26=21000,ES 12-26=6000";
            for (int i = 0; i < args.Length; i += 2)
            {
                if (args[i] == "--serve") { serve = true; i--; continue; }
                if (i + 1 >= args.Length) { Console.Error.WriteLine("option " + args[i] + " needs a value"); return 2; }
                switch (args[i])
                {
                    case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                    case "--account": account = args[i + 1]; break;
                    case "--instruments": instruments = args[i + 1]; break;
                    case "--version": version = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                    case "--fill-delay-ms": fillDelayMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                    default: Console.Error.WriteLine("unknown option " + args[i]); return 2;
                }
            }
            foreach (var item in instruments.Split(','))
            {
                var parts = item.Split('=');
                double price = double.Parse(parts[1], CultureInfo.InvariantCulture);
                quotes[parts[0].Trim()] = new Quote { Bid = price - 0.25, Ask = price, Last = price };
            }
            server = new BridgeServer(IPAddress.Loopback, port) { ProtocolVersion = version, HeartbeatIntervalMs = 500, HeartbeatTimeoutMs = 3000 };
            server.AcceptHello = hello =>
            {
                string wanted = BridgeCodec.Text(hello, "account");
                if (wanted != account) throw new BridgeFormatException("account '" + wanted + "' is not connected in NinjaTrader (accounts: " + account + ")");
                return account;
            };
            server.Log += line => Say("bridge: " + line);
            server.FrameReceived += OnFrame;
            server.Start();
            Say("listening on 127.0.0.1:" + server.Port);
            new Thread(MarketLoop) { IsBackground = true }.Start();
            if (serve)
            {
                Thread.Sleep(Timeout.Infinite);  // a local stack's companion: runs until it is stopped
            }
            string command;
            while ((command = Console.ReadLine()) != null)
            {
                if (command == "quit") break;
                Control(command.Trim());
            }
            server.Dispose();
            return 0;
        }

        static void Say(string line)
        {
            lock (gate) { Console.Out.WriteLine(line); Console.Out.Flush(); }
        }

        static void Control(string command)
        {
            if (command.StartsWith("json "))  // the C# codec reads a JSON object and writes it back (tests)
            {
                try { Say("json " + Json.Write(BridgeCodec.Decode(Encoding.UTF8.GetBytes(command.Substring(5))))); }
                catch (BridgeFormatException e) { Say("json-error " + e.Message); }
                return;
            }
            switch (command)
            {
                case "drop": server.Drop("dropped by the test"); break;
                case "mute": server.Muted = true; break;
                case "unmute": server.Muted = false; break;
                case "hold": hold = true; break;
                case "release": hold = false; break;
                case "raw-oversized": server.SendRaw(new byte[] { 0x7f, 0xff, 0xff, 0xff, (byte)'{' }); break;
                case "raw-truncated":
                    // nothing may follow the cut frame (a heartbeat would be read as its rest)
                    server.SendRawThenDrop(new byte[] { 0, 0, 0, 100, (byte)'{', (byte)'"' }, "truncated on purpose");
                    break;
                case "raw-unknown": server.Send(BridgeCodec.Frame("weather")); break;
                case "raw-badjson":
                    var bad = Encoding.ASCII.GetBytes("{\"type\": tick");
                    server.SendRaw(new byte[] { 0, 0, 0, (byte)bad.Length });
                    server.SendRaw(bad);
                    break;
                default: Say("unknown command " + command); return;
            }
            Say("done " + command);
        }

        static void OnFrame(Dictionary<string, object> frame)
        {
            string type = BridgeCodec.Text(frame, "type");
            lock (gate)
            {
                if (type == "subscribe")
                {
                    subscribed.Clear();
                    foreach (var name in BridgeCodec.List(frame, "instruments")) subscribed.Add((string)name);
                }
                else if (type == "place") Place(frame);
                else if (type == "cancel") Cancel(BridgeCodec.Text(frame, "leg"));
                else if (type == "report_request") Report(BridgeCodec.Text(frame, "id"));
            }
        }

        static void Place(Dictionary<string, object> frame)
        {
            string leg = BridgeCodec.Text(frame, "leg");
            SimOrder existing;
            if (orders.TryGetValue(leg, out existing))
            {
                Say("repeat of " + leg + " ignored");
                SendOrder(existing);
                return;
            }
            var order = new SimOrder
            {
                Leg = leg,
                OrderId = Guid.NewGuid().ToString("N"),
                Instrument = BridgeCodec.Text(frame, "instrument"),
                Side = BridgeCodec.Text(frame, "side"),
                Type = BridgeCodec.Text(frame, "order_type"),
                Qty = BridgeCodec.Number(frame, "qty"),
                Limit = BridgeCodec.OptionalNumber(frame, "limit"),
                Stop = BridgeCodec.OptionalNumber(frame, "stop"),
            };
            orders[leg] = order;
            if (!quotes.ContainsKey(order.Instrument)) Reject(order, "Instrument '" + order.Instrument + "' is not supported by the connection");
            else if (order.Qty <= 0 || order.Qty != Math.Floor(order.Qty)) Reject(order, "Order quantity " + order.Qty + " is not a whole number of contracts");
            else if (order.Type == "LIMIT" && double.IsNaN(order.Limit)) Reject(order, "A limit order needs a limit price");
            else if (order.Type == "STOP" && double.IsNaN(order.Stop)) Reject(order, "A stop order needs a stop price");
            else
            {
                order.NextFill = DateTime.UtcNow.AddMilliseconds(fillDelayMs);
                SendOrder(order);
            }
            Say("placed " + leg + " " + order.OrderId);
        }

        static void Reject(SimOrder order, string reason)
        {
            order.State = "REJECTED";
            order.Reason = reason;
            SendOrder(order);
        }

        static void Cancel(string leg)
        {
            SimOrder order;
            if (!orders.TryGetValue(leg, out order) || !order.Working) return;
            order.State = "CANCELLED";
            order.Reason = "Cancelled by the adapter";
            SendOrder(order);
        }

        static Dictionary<string, object> OrderFrame(SimOrder order)
        {
            var frame = BridgeCodec.Frame("order");
            frame["leg"] = order.Leg;
            frame["order_id"] = order.OrderId;
            frame["state"] = order.State;
            frame["filled"] = order.Filled;
            frame["avg_price"] = order.AvgPrice;
            frame["reason"] = order.Reason;
            return frame;
        }

        static void SendOrder(SimOrder order) { server.Send(OrderFrame(order)); }

        static void Report(string id)
        {
            var frame = BridgeCodec.Frame("report");
            frame["id"] = id;
            var list = new List<object>();
            foreach (var order in orders.Values)
            {
                var o = new Dictionary<string, object> { { "leg", order.Leg }, { "order_id", order.OrderId }, { "state", order.State }, { "filled", order.Filled } };
                list.Add(o);
            }
            frame["orders"] = list;
            frame["executions"] = new List<object>(executions.ToArray());
            var held = new List<object>();
            foreach (var pair in positions) held.Add(new Dictionary<string, object> { { "instrument", pair.Key }, { "qty", pair.Value } });
            frame["positions"] = held;
            server.Send(frame);
        }

        static void MarketLoop()
        {
            DateTime nextTick = DateTime.UtcNow;
            while (true)
            {
                Thread.Sleep(10);
                lock (gate)
                {
                    DateTime now = DateTime.UtcNow;
                    if (now >= nextTick)
                    {
                        nextTick = now.AddMilliseconds(100);
                        foreach (var pair in quotes)
                        {
                            var q = pair.Value;
                            q.Last += q.TickSize * (random.Next(3) - 1);
                            q.Bid = q.Last - q.TickSize;
                            q.Ask = q.Last;
                            if (!subscribed.Contains(pair.Key)) continue;
                            var tick = BridgeCodec.Frame("tick");
                            tick["instrument"] = pair.Key;
                            tick["bid"] = q.Bid;
                            tick["ask"] = q.Ask;
                            tick["last"] = q.Last;
                            tick["size"] = 1L;
                            tick["ts"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                            server.Send(tick);
                        }
                    }
                    if (!hold) foreach (var order in orders.Values) Work(order, now);
                }
            }
        }

        static void Work(SimOrder order, DateTime now)
        {
            if (!order.Working || now < order.NextFill) return;
            var q = quotes[order.Instrument];
            bool buy = order.Side == "BUY";
            double price = buy ? q.Ask : q.Bid;
            if (order.Type == "LIMIT")
            {
                if (buy ? price > order.Limit : price < order.Limit) return;
                price = buy ? Math.Min(price, order.Limit) : Math.Max(price, order.Limit);
            }
            if (order.Type == "STOP" && !order.Triggered)
            {
                if (buy ? q.Last < order.Stop : q.Last > order.Stop) return;
                order.Triggered = true;
            }
            double slice = Math.Max(1, Math.Floor(order.Qty / 2));
            double qty = Math.Min(slice, order.Qty - order.Filled);
            order.AvgPrice = (order.AvgPrice * order.Filled + price * qty) / (order.Filled + qty);
            order.Filled += qty;
            order.State = order.Filled >= order.Qty ? "FILLED" : "PARTFILLED";
            order.NextFill = now.AddMilliseconds(fillDelayMs);
            var exec = BridgeCodec.Frame("execution");
            exec["leg"] = order.Leg;
            exec["exec_id"] = "e" + (nextExec++).ToString(CultureInfo.InvariantCulture) + "-" + order.OrderId.Substring(0, 8);
            exec["order_id"] = order.OrderId;
            exec["qty"] = qty;
            exec["price"] = price;
            exec["ts"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            executions.Add(exec);
            double held;
            positions.TryGetValue(order.Instrument, out held);
            positions[order.Instrument] = held + (buy ? qty : -qty);
            SendOrder(order);
            server.Send(exec);
            var position = BridgeCodec.Frame("position");
            position["instrument"] = order.Instrument;
            position["qty"] = positions[order.Instrument];
            server.Send(position);
        }
    }
}
