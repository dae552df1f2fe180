// Runs the real NexusBridgeAddOn.cs on the simulated NinjaTrader of NinjaTraderSim.cs, for the tests:
//
//   mono addon-host.exe --port 0
//
// The AddOn prints "NexusBridge: listening on 127.0.0.1:<port>". Commands on stdin, one a line: drop (close the
// adapter's connection), quit.
using System;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Threading;
using NexusGw.Bridge;
using NinjaTrader.NinjaScript;
using NinjaTrader.NinjaScript.AddOns;

static class AddOnHost
{
    static int Main(string[] args)
    {
        int port = 9001;
        for (int i = 0; i + 1 < args.Length; i += 2)
            if (args[i] == "--port") port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        string dir = Path.Combine(Path.GetTempPath(), "nexusbridge-host-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        NinjaTrader.Core.Globals.UserDataDir = dir;
        File.WriteAllText(Path.Combine(dir, "nexusbridge.txt"), "port=" + port + "\nbind=127.0.0.1\n");
        var addOn = new NexusBridgeAddOn();
        addOn.Run(State.SetDefaults);
        addOn.Run(State.Active);
        var market = new Thread(() =>
        {
            for (int n = 0; ; n++)
            {
                Thread.Sleep(10);
                NinjaTrader.Cbi.Account.Step(n % 10 == 0);
            }
        }) { IsBackground = true };
        market.Start();
        string command;
        while ((command = Console.ReadLine()) != null && command != "quit")
        {
            if (command == "drop")
            {
                var field = typeof(NexusBridgeAddOn).GetField("server", BindingFlags.NonPublic | BindingFlags.Instance);
                ((BridgeServer)field.GetValue(addOn)).Drop("dropped by the test");
            }
            addOn.Print("done " + command);
        }
        addOn.Run(State.Terminated);
        Directory.Delete(dir, true);
        return 0;
    }
}
