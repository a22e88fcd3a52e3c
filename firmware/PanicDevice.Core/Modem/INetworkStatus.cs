namespace PanicDevice.Core.Modem
{
    /// <summary>What the cellular network tells the device about itself: signal and time (Sim800Modem).</summary>
    public interface INetworkStatus
    {
        /// <summary>Signal strength in dBm, 0 when unknown.</summary>
        int SignalDbm { get; }

        /// <summary>UTC seconds at <paramref name="nowMs"/> from the network clock, 0 while unknown.</summary>
        uint UtcSeconds(long nowMs);
    }
}
