using System;
using System.Threading;
using nanoFramework.Runtime.Native;
using PanicDevice.Core.Time;

namespace PanicDevice.Firmware
{
    /// <summary>
    /// The watchdog substitute: the stock ESP32 nanoCLR leaves the task watchdog off and offers no managed
    /// watchdog, so a timer thread reboots the device when the main loop stops kicking.
    /// </summary>
    internal sealed class StallReboot
    {
        /// <summary>No Core call blocks, so a loop turn silent this long means a hang.</summary>
        public const int LimitMs = 60000;
        private const int CheckEveryMs = 5000;

        private readonly StallWatch watch;
        private readonly Timer timer;

        public StallReboot()
        {
            watch = new StallWatch(LimitMs, Environment.TickCount64);
            timer = new Timer(Check, null, CheckEveryMs, CheckEveryMs);
        }

        public void Kick()
        {
            lock (watch)
            {
                watch.Kick(Environment.TickCount64);
            }
        }

        private void Check(object state)
        {
            bool stalled;
            lock (watch)
            {
                stalled = watch.IsStalled(Environment.TickCount64);
            }
            if (stalled)
            {
                Console.WriteLine("main loop stalled: rebooting (the outbox on I:\\ survives)");
                Power.RebootDevice(RebootOption.NormalReboot);
            }
        }
    }
}
