using System.IO.Ports;
using PanicDevice.Core.Io;

namespace PanicDevice.Firmware
{
    /// <summary>The modem's UART as Core's non-blocking byte pipe.</summary>
    internal sealed class SerialByteStream : IByteStream
    {
        private readonly SerialPort port;

        public SerialByteStream(SerialPort port)
        {
            this.port = port;
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            // SerialPort.Read throws TimeoutException when nothing is waiting; Core polls, so ask first.
            int waiting = port.BytesToRead;
            if (waiting <= 0)
            {
                return 0;
            }
            return port.Read(buffer, offset, waiting < count ? waiting : count);
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            port.Write(buffer, offset, count);
        }
    }
}
