// NexusBridge: the NinjaScript AddOn that connects NinjaTrader 8 to nexusgw's NT8 adapter (settings.mode: bridge).
//
// It listens on a TCP port (9001 by default) for the adapter, streams market data for the instruments the adapter
// asks for, places market, limit and stop orders through the account the adapter names (the order's Name is the
// gateway's leg id, so orders survive a NinjaTrader restart under that id), and sends order updates, executions
// and positions. The bridge protocol is docs/bridge-protocol.md; BridgeCodec.cs and BridgeTransport.cs carry it
// and must sit next to this file in Documents\NinjaTrader 8\bin\Custom\AddOns\ (install: docs/nt8.md).
//
// Configuration: Documents\NinjaTrader 8\nexusbridge.txt, lines "port=9001" and "bind=127.0.0.1" (optional; the
// defaults are those). Messages go to NinjaTrader's Output window and log (Control Center > Log).
//
// This file compiles only inside NinjaTrader (it uses NinjaTrader's assemblies); the tests compile and drive the
// transport and codec with a simulated account instead (harness/Harness.cs). Names follow NinjaTrader 8's
// NinjaScript reference (AddOnBase, Account, MarketData, OrderEventArgs, ExecutionEventArgs, PositionEventArgs).
#region Using declarations
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using NexusGw.Bridge;
using NinjaTrader.Cbi;
using NinjaTrader.Data;
#endregion

namespace NinjaTrader.NinjaScript.AddOns
{
    public class NexusBridgeAddOn : AddOnBase
    {
        readonly object gate = new object();
        BridgeServer server;
        Account account;
        readonly Dictionary<string, MarketData> feeds = new Dictionary<string, MarketData>();
        readonly Dictionary<string, double[]> quotes = new Dictionary<string, double[]>();  // bid, ask, last
        readonly HashSet<string> legs = new HashSet<string>();  // order names this AddOn placed this session

        protected override void OnStateChange()
        {
            if (State == State.SetDefaults)
            {
                Name = "NexusBridge";
                Description = "Bridge between NinjaTrader 8 and the nexusgw gateway (docs/nt8.md).";
            }
            else if (State == State.Active)
            {
                StartBridge();
            }
            else if (State == State.Terminated)
            {
                StopBridge();
            }
        }

        // ------------------------------------------------------------------------------------------ lifecycle

        void StartBridge()
        {
            int port = 9001;
            IPAddress bind = IPAddress.Loopback;
            string config = Path.Combine(NinjaTrader.Core.Globals.UserDataDir, "nexusbridge.txt");
            if (File.Exists(config))
            {
                foreach (string raw in File.ReadAllLines(config))
                {
                    string line = raw.Trim();
                    if (line.StartsWith("port=")) port = int.Parse(line.Substring(5), CultureInfo.InvariantCulture);
                    else if (line.StartsWith("bind=")) bind = IPAddress.Parse(line.Substring(5));
                }
            }
            server = new BridgeServer(bind, port);
            server.AcceptHello = AcceptHello;
            server.FrameReceived += OnFrame;
            server.Log += line => Print("NexusBridge: " + line);
            server.Disconnected += reason => Print("NexusBridge: adapter disconnected: " + reason);
            try
            {
                server.Start();
                Print("NexusBridge: listening on " + bind + ":" + server.Port);
            }
            catch (Exception e)
            {
                Print("NexusBridge: cannot listen on port " + port + " (" + e.Message + "); set another in " + config);
                server = null;
            }
        }

        void StopBridge()
        {
            if (server != null) server.Dispose();
            server = null;
            lock (gate)
            {
                foreach (var feed in feeds.Values) feed.Update -= OnMarketData;
                feeds.Clear();
                Attach(null);
            }
        }

        /// <summary>The adapter's hello names the account; it must be one NinjaTrader has connected.</summary>
        string AcceptHello(Dictionary<string, object> hello)
        {
            string wanted = BridgeCodec.Text(hello, "account");
            Account found;
            lock (Account.All)
                found = Account.All.FirstOrDefault(a => a.Name == wanted);
            if (found == null)
            {
                string names;
                lock (Account.All)
                    names = string.Join(", ", Account.All.Select(a => a.Name));
                throw new BridgeFormatException("account '" + wanted + "' is not connected in NinjaTrader (connected: " + names + ")");
            }
            lock (gate) Attach(found);
            return found.Name;
        }

        void Attach(Account next)
        {
            if (account == next) return;
            if (account != null)
            {
                account.OrderUpdate -= OnOrderUpdate;
                account.ExecutionUpdate -= OnExecutionUpdate;
                account.PositionUpdate -= OnPositionUpdate;
            }
            account = next;
            if (account != null)
            {
                account.OrderUpdate += OnOrderUpdate;
                account.ExecutionUpdate += OnExecutionUpdate;
                account.PositionUpdate += OnPositionUpdate;
            }
        }

        // ---------------------------------------------------------------------------------- frames from the adapter

        void OnFrame(Dictionary<string, object> frame)
        {
            string type = BridgeCodec.Text(frame, "type");
            if (type == "subscribe") Subscribe(BridgeCodec.List(frame, "instruments"));
            else if (type == "place") Place(frame);
            else if (type == "cancel") Cancel(BridgeCodec.Text(frame, "leg"));
            else if (type == "report_request") Report(BridgeCodec.Text(frame, "id"));
        }

        void Subscribe(List<object> names)
        {
            lock (gate)
            {
                var wanted = new HashSet<string>(names.Select(n => (string)n));
                foreach (var name in feeds.Keys.Where(n => !wanted.Contains(n)).ToList())
                {
                    feeds[name].Update -= OnMarketData;
                    feeds.Remove(name);
                }
                foreach (var name in wanted.Where(n => !feeds.ContainsKey(n)))
                {
                    Instrument instrument = Instrument.GetInstrument(name);
                    if (instrument == null)
                    {
                        SendError("instrument '" + name + "' is not known to NinjaTrader; no market data for it");
                        continue;
                    }
                    var feed = new MarketData(instrument);
                    feed.Update += OnMarketData;
                    feeds[name] = feed;
                }
            }
        }

        void OnMarketData(object sender, MarketDataEventArgs e)
        {
            string name = e.Instrument.FullName;
            double[] q;
            lock (gate)
            {
                if (!quotes.TryGetValue(name, out q)) quotes[name] = q = new double[3];
                if (e.MarketDataType == MarketDataType.Bid) q[0] = e.Price;
                else if (e.MarketDataType == MarketDataType.Ask) q[1] = e.Price;
                else if (e.MarketDataType == MarketDataType.Last) q[2] = e.Price;
                else return;
                if (q[0] <= 0 || q[1] <= 0 || q[2] <= 0) return;
            }
            var tick = BridgeCodec.Frame("tick");
            tick["instrument"] = name;
            tick["bid"] = q[0];
            tick["ask"] = q[1];
            tick["last"] = q[2];
            tick["size"] = e.MarketDataType == MarketDataType.Last ? (double)e.Volume : 0.0;
            tick["ts"] = new DateTimeOffset(e.Time.ToUniversalTime()).ToUnixTimeMilliseconds();
            if (server != null) server.Send(tick);
        }

        Order FindOrder(string leg)
        {
            lock (account.Orders)
                return account.Orders.LastOrDefault(o => o.Name == leg);
        }

        void Place(Dictionary<string, object> frame)
        {
            string leg = BridgeCodec.Text(frame, "leg");
            string name = BridgeCodec.Text(frame, "instrument");
            string side = BridgeCodec.Text(frame, "side");
            string kind = BridgeCodec.Text(frame, "order_type");
            double qty = BridgeCodec.Number(frame, "qty");
            double limit = BridgeCodec.OptionalNumber(frame, "limit");
            double stop = BridgeCodec.OptionalNumber(frame, "stop");
            string tif = BridgeCodec.Text(frame, "tif");
            Order existing = FindOrder(leg);
            if (existing != null)
            {
                SendError("leg " + leg + " was placed already (order " + existing.OrderId + "); the repeat is ignored");
                SendOrder(leg, existing.OrderId, existing.OrderState, existing.Filled, existing.AverageFillPrice, "");
                return;
            }
            Instrument instrument = Instrument.GetInstrument(name);
            string refusal = null;
            OrderType type = OrderType.Market;
            if (instrument == null) refusal = "Instrument '" + name + "' is not known to NinjaTrader";
            else if (qty <= 0 || qty != Math.Floor(qty)) refusal = "Order quantity " + qty + " is not a whole number of contracts";
            else if (kind == "LIMIT") type = OrderType.Limit;
            else if (kind == "STOP") type = OrderType.StopMarket;
            else if (kind != "MARKET") refusal = "Order type " + kind + " is not supported";
            if (refusal == null && type == OrderType.Limit && double.IsNaN(limit)) refusal = "A limit order needs a limit price";
            if (refusal == null && type == OrderType.StopMarket && double.IsNaN(stop)) refusal = "A stop order needs a stop price";
            if (refusal != null)
            {
                SendOrder(leg, "", OrderState.Rejected, 0, 0, refusal);
                return;
            }
            lock (gate) legs.Add(leg);
            Order order = account.CreateOrder(
                instrument,
                side == "BUY" ? OrderAction.Buy : OrderAction.Sell,
                type,
                OrderEntry.Automated,
                tif == "GTC" ? TimeInForce.Gtc : TimeInForce.Day,
                (int)qty,
                type == OrderType.Limit ? limit : 0,
                type == OrderType.StopMarket ? stop : 0,
                string.Empty,
                leg,  // the order's name: the leg id, also after a NinjaTrader restart
                NinjaTrader.Core.Globals.MaxDate,
                null);
            account.Submit(new[] { order });
        }

        void Cancel(string leg)
        {
            Order order = FindOrder(leg);
            if (order == null || Order.IsTerminalState(order.OrderState)) return;
            account.Cancel(new[] { order });
        }

        // ---------------------------------------------------------------------------------- NinjaTrader's events

        bool Mine(Order order)
        {
            if (order == null) return false;
            lock (gate) if (legs.Contains(order.Name)) return true;
            return order.Name != null && order.Name.Contains(".");  // legs placed before a restart: <order>.<platform>
        }

        void OnOrderUpdate(object sender, OrderEventArgs e)
        {
            if (!Mine(e.Order)) return;
            string reason = e.OrderState == OrderState.Rejected ? e.Error + ": " + e.Comments : "";
            SendOrder(e.Order.Name, e.Order.OrderId, e.OrderState, e.Filled, e.AverageFillPrice, reason);
        }

        void SendOrder(string leg, string orderId, OrderState state, double filled, double avg, string reason)
        {
            var frame = BridgeCodec.Frame("order");
            frame["leg"] = leg;
            frame["order_id"] = orderId ?? "";
            frame["state"] = state.ToString().ToUpperInvariant();
            frame["filled"] = filled;
            frame["avg_price"] = avg;
            frame["reason"] = reason ?? "";
            if (server != null) server.Send(frame);
        }

        // OnExecutionUpdate fires after OnOrderUpdate: fills are sent from here, each once by its execution id.
        void OnExecutionUpdate(object sender, ExecutionEventArgs e)
        {
            if (e.Execution == null || !Mine(e.Execution.Order)) return;
            if (server != null) server.Send(ExecutionFrame(e.Execution));
        }

        static Dictionary<string, object> ExecutionFrame(Execution execution)
        {
            var frame = BridgeCodec.Frame("execution");
            frame["leg"] = execution.Order.Name;
            frame["exec_id"] = execution.ExecutionId;
            frame["order_id"] = execution.Order.OrderId;
            frame["qty"] = (double)execution.Quantity;
            frame["price"] = execution.Price;
            frame["ts"] = new DateTimeOffset(execution.Time.ToUniversalTime()).ToUnixTimeMilliseconds();
            return frame;
        }

        void OnPositionUpdate(object sender, PositionEventArgs e)
        {
            var frame = BridgeCodec.Frame("position");
            frame["instrument"] = e.Position.Instrument.FullName;
            frame["qty"] = Signed(e.MarketPosition, e.Quantity);
            if (server != null) server.Send(frame);
        }

        static double Signed(MarketPosition side, int quantity)
        {
            return side == MarketPosition.Long ? quantity : side == MarketPosition.Short ? -quantity : 0;
        }

        void Report(string id)
        {
            var frame = BridgeCodec.Frame("report");
            frame["id"] = id;
            var orders = new List<object>();
            lock (account.Orders)
                foreach (Order order in account.Orders.Where(Mine))
                    orders.Add(new Dictionary<string, object>
                    {
                        { "leg", order.Name }, { "order_id", order.OrderId },
                        { "state", order.OrderState.ToString().ToUpperInvariant() }, { "filled", (double)order.Filled },
                    });
            var executions = new List<object>();
            lock (account.Executions)
                foreach (Execution execution in account.Executions.Where(x => Mine(x.Order)))
                    executions.Add(ExecutionFrame(execution));
            var positions = new List<object>();
            lock (account.Positions)
                foreach (Position position in account.Positions)
                    positions.Add(new Dictionary<string, object>
                    {
                        { "instrument", position.Instrument.FullName },
                        { "qty", Signed(position.MarketPosition, position.Quantity) },
                    });
            frame["orders"] = orders;
            frame["executions"] = executions;
            frame["positions"] = positions;
            if (server != null) server.Send(frame);
        }

        void SendError(string text)
        {
            Print("NexusBridge: " + text);
            var frame = BridgeCodec.Frame("error");
            frame["reason"] = text;
            if (server != null) server.Send(frame);
        }
    }
}
