namespace PanicDevice.Core.Io
{
    /// <summary>
    /// A byte pipe that never blocks: the modem's UART on the device, a PC serial port, or the
    /// emulator's pipe on the host. Core polls it from its own state machines.
    /// </summary>
    public interface IByteStream
    {
        /// <summary>Copies up to <paramref name="count"/> waiting bytes into the buffer; returns 0 when none are waiting.</summary>
        int Read(byte[] buffer, int offset, int count);

        /// <summary>Queues the bytes for sending.</summary>
        void Write(byte[] buffer, int offset, int count);
    }
}
