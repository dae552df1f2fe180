// NexusGw bridge for Quantower: a Strategy that connects Quantower to nexusgw's quantower adapter (driver: quantower).
//
// It listens on a TCP port (9002 by default; NinjaTrader's AddOn uses 9001) for the adapter, streams quotes and
// trades (Symbol.NewQuote / NewLast) for the symbols the adapter asks for, places market, limit and stop orders
// through the account the adapter names with Core.Instance.PlaceOrder (the order's Comment is the gateway's leg id,
// so orders keep that id across a Quantower restart), cancels with Core.Instance.CancelOrder, and sends order
// updates (OrderAdded / Order.Updated / OrderRemoved / OrdersHistoryAdded), trades (TradeAdded) and positions
// (PositionAdded / PositionRemoved / Position.Updated). The bridge protocol is docs/bridge-protocol.md; it is
// carried by ../nt8/BridgeCodec.cs and ../nt8/BridgeTransport.cs, the same files NinjaTrader's AddOn compiles
// (linked by NexusGwBridge.csproj, never copied). Install: adapters/quantower/README.md and docs/quantower.md.
//
// This file compiles only against Quantower's TradingPlatform.BusinessLayer.dll; the tests drive the shared
// transport and codec compiled with Mono instead, and a Python simulated Quantower. Names follow Quantower's
// API as documented (Core.Instance, PlaceOrderRequestParameters, TradingOperationResult, Strategy).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using NexusGw.Bridge;
using TradingPlatform.BusinessLayer;

namespace NexusGw.Quantower
{
    public sealed class NexusGwBridge : Strategy
    {
        [InputParameter("Port the adapter connects to", 0, 1, 65535, 1, 0)]
        public int Port = 9002;

        [InputParameter("Listen address (127.0.0.1: this PC only)", 1)]
        public string Bind = "127.0.0.1";

        [InputParameter("Connection id (empty: any connection holding the account)", 2)]
        public string ConnectionId = "";

        readonly object gate = new object();
        BridgeServer server;
        Account account;
        readonly Dictionary<string, Symbol> feeds = new Dictionary<string, Symbol>();
        readonly Dictionary<string, double[]> quotes = new Dictionary<string, double[]>();  // bid, ask, last
        readonly HashSet<string> placed = new HashSet<string>();  // legs placed this session: each at most once
        readonly Dictionary<string, string> legOfOrder = new Dictionary<string, string>();  // order id -> leg
        readonly Dictionary<string, Dictionary<string, object>> lastOrder = new Dictionary<string, Dictionary<string, object>>();
        readonly Dictionary<string, Dictionary<string, object>> trades = new Dictionary<string, Dictionary<string, object>>();

        public NexusGwBridge() : base()
        {
            Name = "NexusGw bridge";
            Description = "Bridge between Quantower and the nexusgw gateway (docs/quantower.md).";
        }

        // ------------------------------------------------------------------------------------------ lifecycle

        protected override void OnRun()
        {
            server = new BridgeServer(IPAddress.Parse(Bind), Port) { Platform = "Quantower" };
            server.AcceptHello = AcceptHello;
            server.FrameReceived += OnFrame;
            server.Log += line => Log("NexusGw: " + line, StrategyLoggingLevel.Info);
            server.Disconnected += reason => Log("NexusGw: adapter disconnected: " + reason, StrategyLoggingLevel.Info);
            Core.Instance.OrderAdded += OnOrderAdded;
            Core.Instance.OrderRemoved += OnOrderRemoved;
            Core.Instance.OrdersHistoryAdded += OnOrderHistory;
            Core.Instance.TradeAdded += OnTrade;
            Core.Instance.PositionAdded += OnPosition;
            Core.Instance.PositionRemoved += OnPositionRemoved;
            try
            {
                server.Start();
                Log("NexusGw: listening on " + Bind + ":" + server.Port, StrategyLoggingLevel.Info);
            }
            catch (Exception e)
            {
                Log("NexusGw: cannot listen on port " + Port + " (" + e.Message + "); choose another Port", StrategyLoggingLevel.Error);
                server = null;
            }
        }

        protected override void OnStop()
        {
            Core.Instance.OrderAdded -= OnOrderAdded;
            Core.Instance.OrderRemoved -= OnOrderRemoved;
            Core.Instance.OrdersHistoryAdded -= OnOrderHistory;
            Core.Instance.TradeAdded -= OnTrade;
            Core.Instance.PositionAdded -= OnPosition;
            Core.Instance.PositionRemoved -= OnPositionRemoved;
            lock (gate)
            {
                foreach (var symbol in feeds.Values) Unwatch(symbol);
                feeds.Clear();
            }
            if (server != null) server.Dispose();
            server = null;
        }

        /// <summary>The adapter's hello names the account; it must be one of Quantower's connected accounts.</summary>
        string AcceptHello(Dictionary<string, object> hello)
        {
            string wanted = BridgeCodec.Text(hello, "account");
            var candidates = Core.Instance.Accounts.Where(a => ConnectionId == "" || a.ConnectionId == ConnectionId).ToList();
            Account found = candidates.FirstOrDefault(a => a.Name == wanted || a.Id == wanted);
            if (found == null)
                throw new BridgeFormatException("account '" + wanted + "' is not connected in Quantower (connected: "
                    + string.Join(", ", candidates.Select(a => a.Name)) + ")");
            lock (gate) account = found;
            return wanted;
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

        /// <summary>A symbol of the account's connection by its name (NQZ6 on Rithmic): cached, else searched.</summary>
        Symbol FindSymbol(string name)
        {
            string connection = account.ConnectionId;
            Symbol known = Core.Instance.Symbols.FirstOrDefault(s => s.Name == name && s.ConnectionId == connection);
            if (known != null) return known;
            var found = Core.Instance.SearchSymbols(new SearchSymbolsRequestParameters
            {
                FilterName = name,
                ConnectionId = connection,
                SymbolTypes = new[] { SymbolType.Futures },
            }).FirstOrDefault(s => s.Name == name);
            return found == null ? null : Core.Instance.GetSymbol(new GetSymbolRequestParameters { SymbolId = found.Id }, null, NonFixedListDownload.Download);
        }

        void Subscribe(List<object> names)
        {
            lock (gate)
            {
                var wanted = new HashSet<string>(names.Select(n => (string)n));
                foreach (var name in feeds.Keys.Where(n => !wanted.Contains(n)).ToList())
                {
                    Unwatch(feeds[name]);
                    feeds.Remove(name);
                }
                foreach (var name in wanted.Where(n => !feeds.ContainsKey(n)))
                {
                    Symbol symbol = FindSymbol(name);
                    if (symbol == null)
                    {
                        SendError("symbol '" + name + "' is not known to Quantower's connection " + account.ConnectionId + "; no market data for it");
                        continue;
                    }
                    symbol.NewQuote += OnQuote;
                    symbol.NewLast += OnLast;
                    feeds[name] = symbol;
                }
            }
        }

        void Unwatch(Symbol symbol)
        {
            symbol.NewQuote -= OnQuote;
            symbol.NewLast -= OnLast;
        }

        void OnQuote(Symbol symbol, Quote quote) { Tick(symbol, quote.Bid, quote.Ask, double.NaN, 0, quote.Time); }

        void OnLast(Symbol symbol, Last last) { Tick(symbol, double.NaN, double.NaN, last.Price, last.Size, last.Time); }

        void Tick(Symbol symbol, double bid, double ask, double price, double size, DateTime time)
        {
            double[] q;
            lock (gate)
            {
                if (!quotes.TryGetValue(symbol.Name, out q)) quotes[symbol.Name] = q = new double[3];
                if (!double.IsNaN(bid)) q[0] = bid;
                if (!double.IsNaN(ask)) q[1] = ask;
                if (!double.IsNaN(price)) q[2] = price;
                if (q[0] <= 0 || q[1] <= 0 || q[2] <= 0) return;
            }
            var tick = BridgeCodec.Frame("tick");
            tick["instrument"] = symbol.Name;
            tick["bid"] = q[0];
            tick["ask"] = q[1];
            tick["last"] = q[2];
            tick["size"] = size;
            tick["ts"] = new DateTimeOffset(time.ToUniversalTime()).ToUnixTimeMilliseconds();
            Send(tick);
        }

        /// <summary>Orders of this account carrying a leg id as their comment (legs hold a '.': order.platform).</summary>
        bool Mine(Order order)
        {
            return order != null && account != null && order.Account == account && order.Comment != null && order.Comment.Contains(".");
        }

        Order FindOrder(string leg)
        {
            return Core.Instance.Orders.LastOrDefault(o => Mine(o) && o.Comment == leg);
        }

        void Place(Dictionary<string, object> frame)
        {
            string leg = BridgeCodec.Text(frame, "leg");
            string name = BridgeCodec.Text(frame, "instrument");
            string kind = BridgeCodec.Text(frame, "order_type");
            double qty = BridgeCodec.Number(frame, "qty");
            double limit = BridgeCodec.OptionalNumber(frame, "limit");
            double stop = BridgeCodec.OptionalNumber(frame, "stop");
            lock (gate)
            {
                if (placed.Contains(leg) || FindOrder(leg) != null)
                {
                    SendError("leg " + leg + " was placed already; the repeat is ignored");
                    Dictionary<string, object> known;
                    if (lastOrder.TryGetValue(leg, out known)) Send(known);
                    return;
                }
                placed.Add(leg);
            }
            Symbol symbol = FindSymbol(name);
            string refusal = null;
            string typeId = OrderType.Market;
            if (symbol == null) refusal = "Symbol '" + name + "' is not known to Quantower's connection " + account.ConnectionId;
            else if (qty <= 0 || qty != Math.Floor(qty)) refusal = "Quantity " + qty.ToString(CultureInfo.InvariantCulture) + " is not a whole number of contracts";
            else if (kind == "LIMIT") typeId = OrderType.Limit;
            else if (kind == "STOP") typeId = OrderType.Stop;
            else if (kind != "MARKET") refusal = "Order type " + kind + " is not supported";
            if (refusal == null && typeId == OrderType.Limit && double.IsNaN(limit)) refusal = "A limit order needs a price";
            if (refusal == null && typeId == OrderType.Stop && double.IsNaN(stop)) refusal = "A stop order needs a trigger price";
            if (refusal == null)
            {
                var request = new PlaceOrderRequestParameters
                {
                    Account = account,
                    Symbol = symbol,
                    Side = BridgeCodec.Text(frame, "side") == "BUY" ? Side.Buy : Side.Sell,
                    OrderTypeId = typeId,
                    Quantity = qty,
                    TimeInForce = BridgeCodec.Text(frame, "tif") == "GTC" ? TimeInForce.GTC : TimeInForce.Day,
                    Comment = leg,  // the leg id, also after a Quantower restart
                };
                if (typeId == OrderType.Limit) request.Price = limit;
                if (typeId == OrderType.Stop) request.TriggerPrice = stop;
                TradingOperationResult result = Core.Instance.PlaceOrder(request);
                if (result.Status == TradingOperationResultStatus.Success) return;  // OrderAdded reports it
                refusal = "Quantower refused the order: " + result.Message;
            }
            SendOrder(leg, "", "REFUSED", 0, 0, refusal);
        }

        void Cancel(string leg)
        {
            Order order = FindOrder(leg);
            if (order == null || order.Status == OrderStatus.Filled || order.Status == OrderStatus.Cancelled) return;
            TradingOperationResult result = Core.Instance.CancelOrder(order);
            if (result.Status != TradingOperationResultStatus.Success) SendError("cancel of " + leg + " failed: " + result.Message);
        }

        // ------------------------------------------------------------------------------------ Quantower's events

        void OnOrderAdded(Order order)
        {
            if (!Mine(order)) return;
            lock (gate) legOfOrder[order.Id] = order.Comment;
            order.Updated += OnOrderUpdated;
            OnOrderUpdated(order);
        }

        void OnOrderUpdated(IOrder changed)
        {
            var order = changed as Order;
            if (!Mine(order)) return;
            SendOrder(order.Comment, order.Id, Status(order.Status), order.FilledQuantity, order.AverageFillPrice, "");
        }

        void OnOrderRemoved(Order order)
        {
            if (!Mine(order)) return;
            order.Updated -= OnOrderUpdated;
            SendOrder(order.Comment, order.Id, Status(order.Status), order.FilledQuantity, order.AverageFillPrice, "");
        }

        /// <summary>A refusal arrives as an order history entry with status Refused.</summary>
        void OnOrderHistory(OrderHistory history)
        {
            if (history.Status != OrderStatus.Refused || history.Account != account || history.Comment == null || !history.Comment.Contains(".")) return;
            SendOrder(history.Comment, history.Id, "REFUSED", 0, 0, "Quantower refused the order");
        }

        static string Status(OrderStatus status) { return status.ToString().ToUpperInvariant(); }

        void OnTrade(Trade trade)
        {
            string leg;
            lock (gate)
                if (trade.Account != account || !legOfOrder.TryGetValue(trade.OrderId, out leg)) return;
            var frame = BridgeCodec.Frame("execution");
            frame["leg"] = leg;
            frame["exec_id"] = trade.Id;
            frame["order_id"] = trade.OrderId;
            frame["qty"] = trade.Quantity;
            frame["price"] = trade.Price;
            frame["ts"] = new DateTimeOffset(trade.DateTime.ToUniversalTime()).ToUnixTimeMilliseconds();
            lock (gate) trades[trade.Id] = frame;  // reports list every trade of the session, the adapter counts each once
            Send(frame);
        }

        void OnPosition(Position position)
        {
            if (position.Account != account) return;
            position.Updated += OnPositionUpdated;
            OnPositionUpdated(position);
        }

        void OnPositionUpdated(IPosition changed)
        {
            var position = changed as Position;
            if (position == null || position.Account != account) return;
            Send(PositionFrame(position.Symbol.Name, Signed(position)));
        }

        void OnPositionRemoved(Position position)
        {
            if (position.Account != account) return;
            position.Updated -= OnPositionUpdated;
            Send(PositionFrame(position.Symbol.Name, 0));
        }

        static double Signed(Position position) { return position.Side == Side.Buy ? position.Quantity : -position.Quantity; }

        static Dictionary<string, object> PositionFrame(string symbol, double qty)
        {
            var frame = BridgeCodec.Frame("position");
            frame["instrument"] = symbol;
            frame["qty"] = qty;
            return frame;
        }

        // ------------------------------------------------------------------------------------------- frames out

        static Dictionary<string, object> OrderFrame(string leg, string orderId, string state, double filled, double avg, string reason)
        {
            var frame = BridgeCodec.Frame("order");
            frame["leg"] = leg;
            frame["order_id"] = orderId ?? "";
            frame["state"] = state;
            frame["filled"] = filled;
            frame["avg_price"] = double.IsNaN(avg) ? 0.0 : avg;
            frame["reason"] = reason ?? "";
            return frame;
        }

        void SendOrder(string leg, string orderId, string state, double filled, double avg, string reason)
        {
            var frame = OrderFrame(leg, orderId, state, filled, avg, reason);
            lock (gate) lastOrder[leg] = frame;
            Send(frame);
        }

        /// <summary>Every leg of this session (its last state) and the working orders Quantower holds with a leg
        /// comment (also from before a restart), every trade of those orders, and the account's positions.</summary>
        void Report(string id)
        {
            var orders = new Dictionary<string, object>();
            var executions = new List<object>();
            lock (gate)
            {
                foreach (var pair in lastOrder)
                    orders[pair.Key] = new Dictionary<string, object>
                    {
                        { "leg", pair.Key }, { "order_id", pair.Value["order_id"] }, { "state", pair.Value["state"] },
                        { "filled", pair.Value["filled"] },
                    };
                executions.AddRange(trades.Values);
            }
            foreach (Order order in Core.Instance.Orders.Where(Mine))
            {
                lock (gate) legOfOrder[order.Id] = order.Comment;
                orders[order.Comment] = new Dictionary<string, object>
                {
                    { "leg", order.Comment }, { "order_id", order.Id }, { "state", Status(order.Status) },
                    { "filled", order.FilledQuantity },
                };
            }
            var positions = Core.Instance.Positions.Where(p => p.Account == account)
                .Select(p => (object)new Dictionary<string, object> { { "instrument", p.Symbol.Name }, { "qty", Signed(p) } })
                .ToList();
            var frame = BridgeCodec.Frame("report");
            frame["id"] = id;
            frame["orders"] = orders.Values.ToList();
            frame["executions"] = executions;
            frame["positions"] = positions;
            Send(frame);
        }

        void SendError(string text)
        {
            Log("NexusGw: " + text, StrategyLoggingLevel.Error);
            var frame = BridgeCodec.Frame("error");
            frame["reason"] = text;
            Send(frame);
        }

        void Send(Dictionary<string, object> frame)
        {
            var s = server;
            if (s != null) s.Send(frame);
        }
    }
}
