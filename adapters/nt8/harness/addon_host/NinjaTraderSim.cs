// A small simulated NinjaTrader 8: the types NexusBridgeAddOn.cs uses, with the shapes NinjaTrader's NinjaScript
// reference documents (AddOnBase, Account, Instrument, MarketData, Order, Execution, Position and their event
// arguments), and behind them a simulated account (orders accepted, filled in two parts, cancelled; positions) and
// a random-walk market. The tests run the real AddOn on it (AddOnHost.cs): that checks the AddOn's own logic and
// C#, not how closely these shapes match NinjaTrader's real assemblies. Never copy this file into NinjaTrader.
using System;
using System.Collections.Generic;

namespace NinjaTrader.Core
{
    public static class Globals
    {
        public static string UserDataDir = System.IO.Path.GetTempPath();
        public static DateTime MaxDate = DateTime.MaxValue;
    }
}

namespace NinjaTrader.Data
{
    public enum MarketDataType { Ask, Bid, Last, DailyHigh, DailyLow, DailyVolume, LastClose, Opening, OpenInterest, Settlement, Unknown }

    public class MarketDataEventArgs : EventArgs
    {
        public NinjaTrader.Cbi.Instrument Instrument { get; set; }
        public MarketDataType MarketDataType { get; set; }
        public double Price { get; set; }
        public long Volume { get; set; }
        public DateTime Time { get; set; }
    }

    public class MarketData
    {
        internal static readonly List<MarketData> Active = new List<MarketData>();
        internal readonly NinjaTrader.Cbi.Instrument Instrument;

        public MarketData(NinjaTrader.Cbi.Instrument instrument)
        {
            Instrument = instrument;
            lock (Active) Active.Add(this);
        }

        public event EventHandler<MarketDataEventArgs> Update;

        internal void Raise(MarketDataType type, double price)
        {
            var handler = Update;
            if (handler != null)
                handler(this, new MarketDataEventArgs { Instrument = Instrument, MarketDataType = type, Price = price, Volume = 1, Time = DateTime.Now });
        }
    }
}

namespace NinjaTrader.Cbi
{
    public enum OrderAction { Buy, BuyToCover, Sell, SellShort }
    public enum OrderType { Limit, Market, MIT, StopMarket, StopLimit }
    public enum OrderEntry { Automated, Manual }
    public enum TimeInForce { Day, Gtc }
    public enum MarketPosition { Flat, Long, Short }
    public enum ErrorCode { NoError, OrderRejected, UnableToSubmitOrder }
    public enum OrderState
    {
        Initialized, Submitted, Accepted, Working, ChangePending, ChangeSubmitted, CancelPending, CancelSubmitted,
        Cancelled, Rejected, PartFilled, Filled, TriggerPending, Unknown,
    }

    public class Instrument
    {
        public string FullName { get; set; }
        static readonly string[] Roots = { "NQ", "ES", "YM", "RTY", "MNQ", "MES" };

        public static Instrument GetInstrument(string name)
        {
            return Array.IndexOf(Roots, name.Split(' ')[0]) >= 0 ? new Instrument { FullName = name } : null;
        }
    }

    public class Order
    {
        public string Name { get; set; }
        public string OrderId { get; set; }
        public OrderState OrderState { get; set; }
        public int Filled { get; set; }
        public double AverageFillPrice { get; set; }
        public Instrument Instrument { get; set; }
        public OrderAction OrderAction { get; set; }
        public OrderType OrderType { get; set; }
        public int Quantity { get; set; }
        public double LimitPrice { get; set; }
        public double StopPrice { get; set; }
        internal DateTime NextFill;
        internal bool Triggered;
        public static bool IsTerminalState(OrderState state)
        {
            return state == OrderState.Cancelled || state == OrderState.Filled || state == OrderState.Rejected;
        }
    }

    public class Execution
    {
        public string ExecutionId { get; set; }
        public Order Order { get; set; }
        public int Quantity { get; set; }
        public double Price { get; set; }
        public DateTime Time { get; set; }
    }

    public class Position
    {
        public Instrument Instrument { get; set; }
        public int Quantity { get; set; }
        public MarketPosition MarketPosition { get; set; }
    }

    public class OrderEventArgs : EventArgs
    {
        public Order Order { get; set; }
        public OrderState OrderState { get; set; }
        public int Filled { get; set; }
        public double AverageFillPrice { get; set; }
        public ErrorCode Error { get; set; }
        public string Comments { get; set; }
    }

    public class ExecutionEventArgs : EventArgs
    {
        public Execution Execution { get; set; }
    }

    public class PositionEventArgs : EventArgs
    {
        public Position Position { get; set; }
        public int Quantity { get; set; }
        public MarketPosition MarketPosition { get; set; }
    }

    public class Account
    {
        public static readonly List<Account> All = new List<Account> { new Account { Name = "Sim101" } };
        public string Name { get; set; }
        public readonly List<Order> Orders = new List<Order>();
        public readonly List<Execution> Executions = new List<Execution>();
        public readonly List<Position> Positions = new List<Position>();
        public event EventHandler<OrderEventArgs> OrderUpdate;
        public event EventHandler<ExecutionEventArgs> ExecutionUpdate;
        public event EventHandler<PositionEventArgs> PositionUpdate;
        static readonly Dictionary<string, double> last = new Dictionary<string, double>();
        static readonly Random random = new Random(5);
        static int nextExecution = 1;

        public Order CreateOrder(Instrument instrument, OrderAction action, OrderType orderType, OrderEntry orderEntry,
            TimeInForce timeInForce, int quantity, double limitPrice, double stopPrice, string oco, string name,
            DateTime gtd, object customOrder)
        {
            return new Order
            {
                Name = name, OrderId = Guid.NewGuid().ToString("N"), OrderState = OrderState.Initialized,
                Instrument = instrument, OrderAction = action, OrderType = orderType, Quantity = quantity,
                LimitPrice = limitPrice, StopPrice = stopPrice,
            };
        }

        public void Submit(IEnumerable<Order> orders)
        {
            foreach (var order in orders)
            {
                lock (Orders) Orders.Add(order);
                order.NextFill = DateTime.UtcNow.AddMilliseconds(30);
                Change(order, OrderState.Submitted, "");
                Change(order, OrderState.Accepted, "");
                Change(order, OrderState.Working, "");
            }
        }

        public void Cancel(IEnumerable<Order> orders)
        {
            foreach (var order in orders)
                if (!Order.IsTerminalState(order.OrderState)) Change(order, OrderState.Cancelled, "");
        }

        void Change(Order order, OrderState state, string comments)
        {
            order.OrderState = state;
            var h = OrderUpdate;
            if (h != null)
                h(this, new OrderEventArgs { Order = order, OrderState = state, Filled = order.Filled, AverageFillPrice = order.AverageFillPrice, Comments = comments });
        }

        internal static double Price(string instrument)
        {
            lock (last)
            {
                double price;
                if (!last.TryGetValue(instrument, out price)) last[instrument] = price = instrument.StartsWith("ES") ? 6000 : 21000;
                return price;
            }
        }

        /// <summary>Moves the market, streams it, and fills what can be filled (every 10 ms, from the host).</summary>
        public static void Step(bool move)
        {
            if (move)
            {
                List<NinjaTrader.Data.MarketData> feeds;
                lock (NinjaTrader.Data.MarketData.Active) feeds = new List<NinjaTrader.Data.MarketData>(NinjaTrader.Data.MarketData.Active);
                var moved = new HashSet<string>();
                foreach (var feed in feeds)
                {
                    string name = feed.Instrument.FullName;
                    double price = Price(name);
                    if (moved.Add(name)) lock (last) last[name] = price = price + 0.25 * (random.Next(3) - 1);
                    feed.Raise(NinjaTrader.Data.MarketDataType.Bid, price - 0.25);
                    feed.Raise(NinjaTrader.Data.MarketDataType.Ask, price);
                    feed.Raise(NinjaTrader.Data.MarketDataType.Last, price);
                }
            }
            foreach (var account in All)
            {
                List<Order> working;
                lock (account.Orders) working = account.Orders.FindAll(o => o.OrderState == OrderState.Working || o.OrderState == OrderState.PartFilled);
                foreach (var order in working) account.Work(order);
            }
        }

        void Work(Order order)
        {
            if (DateTime.UtcNow < order.NextFill) return;
            double lastPrice = Price(order.Instrument.FullName);
            bool buy = order.OrderAction == OrderAction.Buy || order.OrderAction == OrderAction.BuyToCover;
            double price = buy ? lastPrice : lastPrice - 0.25;
            if (order.OrderType == OrderType.Limit && (buy ? price > order.LimitPrice : price < order.LimitPrice)) return;
            if (order.OrderType == OrderType.StopMarket && !order.Triggered)
            {
                if (buy ? lastPrice < order.StopPrice : lastPrice > order.StopPrice) return;
                order.Triggered = true;
            }
            int qty = Math.Min(Math.Max(1, order.Quantity / 2), order.Quantity - order.Filled);
            order.AverageFillPrice = (order.AverageFillPrice * order.Filled + price * qty) / (order.Filled + qty);
            order.Filled += qty;
            order.NextFill = DateTime.UtcNow.AddMilliseconds(30);
            var execution = new Execution
            {
                ExecutionId = "x" + (nextExecution++) + "-" + order.OrderId.Substring(0, 6), Order = order,
                Quantity = qty, Price = price, Time = DateTime.Now,
            };
            lock (Executions) Executions.Add(execution);
            Change(order, order.Filled >= order.Quantity ? OrderState.Filled : OrderState.PartFilled, "");
            var h = ExecutionUpdate;
            if (h != null) h(this, new ExecutionEventArgs { Execution = execution });
            Position position;
            lock (Positions)
            {
                position = Positions.Find(p => p.Instrument.FullName == order.Instrument.FullName);
                if (position == null) Positions.Add(position = new Position { Instrument = order.Instrument });
                int signed = (position.MarketPosition == MarketPosition.Short ? -position.Quantity : position.Quantity) + (buy ? qty : -qty);
                position.Quantity = Math.Abs(signed);
                position.MarketPosition = signed > 0 ? MarketPosition.Long : signed < 0 ? MarketPosition.Short : MarketPosition.Flat;
            }
            var p2 = PositionUpdate;
            if (p2 != null) p2(this, new PositionEventArgs { Position = position, Quantity = position.Quantity, MarketPosition = position.MarketPosition });
        }
    }
}

namespace NinjaTrader.NinjaScript
{
    public enum State { SetDefaults, Configure, Active, Terminated }

    public abstract class AddOnBase
    {
        public string Name { get; set; }
        public string Description { get; set; }
        public State State { get; set; }
        protected abstract void OnStateChange();
        public void Print(object value) { lock (typeof(Console)) { Console.Out.WriteLine(value); Console.Out.Flush(); } }
        public void Run(State state) { State = state; OnStateChange(); }
    }
}
