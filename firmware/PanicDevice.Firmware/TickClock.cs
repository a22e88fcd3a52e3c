using System;
using PanicDevice.Core.Time;

namespace PanicDevice.Firmware
{
    /// <summary>Core's clock on the device: milliseconds since boot.</summary>
    internal sealed class TickClock : IClock
    {
        public long NowMs
        {
            get { return Environment.TickCount64; }
        }
    }
}
