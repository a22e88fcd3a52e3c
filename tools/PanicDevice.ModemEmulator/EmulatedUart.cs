using System.Text;
using PanicDevice.Core.Io;

namespace PanicDevice.ModemEmulator;

/// <summary>Takes the bytes of a CIPSEND or CMGS after the '>' prompt; false when the data is complete (or cancelled).</summary>
internal interface IEmulatedDataReceiver
{
    bool Take(byte b);
}

/// <summary>
/// The module's UART: bytes to the device leave at the configured baud rate (and may be preceded by line noise), bytes
/// from the device are echoed and assembled into command lines, or handed to a data receiver after a '>' prompt.
/// </summary>
internal sealed class EmulatedUart
{
    private readonly Sim800Emulator module;
    private readonly Random random;
    private readonly Queue<(long At, byte[] Bytes)> toDevice = new();
    private readonly StringBuilder line = new();
    private double freeAt;
    private IEmulatedDataReceiver? dataReceiver;

    public EmulatedUart(Sim800Emulator module, Random random)
    {
        this.module = module;
        this.random = random;
        DeviceSide = new Port(this);
    }

    /// <summary>The UART as the device sees it.</summary>
    public IByteStream DeviceSide { get; }

    /// <summary>Bytes to the device, timed as the UART would send them.</summary>
    public void Send(byte[] bytes)
    {
        if (!module.IsOn)
        {
            return;
        }
        var faults = module.Faults;
        double perByte = faults.BaudRate > 0 ? 10000.0 / faults.BaudRate : 0;
        double start = Math.Max(module.Now, freeAt);
        freeAt = start + perByte * bytes.Length;
        toDevice.Enqueue(((long)Math.Ceiling(freeAt), bytes));
    }

    /// <summary>One response or unsolicited line, framed as the module frames it.</summary>
    public void Emit(string text)
    {
        var faults = module.Faults;
        if (!module.IsOn || faults.Mute)
        {
            return;
        }
        if (faults.GarbageProbability > 0 && random.NextDouble() < faults.GarbageProbability)
        {
            var noise = new byte[random.Next(1, 12)];
            random.NextBytes(noise);
            Send(noise);
        }
        Send(Encoding.ASCII.GetBytes("\r\n" + text + "\r\n"));
    }

    /// <summary>Prompts for data ("> ") and hands the next bytes to <paramref name="receiver"/>.</summary>
    public void PromptForData(IEmulatedDataReceiver receiver)
    {
        dataReceiver = receiver;
        Send(Encoding.ASCII.GetBytes("> "));
    }

    /// <summary>Back to command lines (module state reset).</summary>
    public void EndDataMode() => dataReceiver = null;

    /// <summary>Power is gone: nothing queued reaches the device, no half line or data survives.</summary>
    public void PowerOff()
    {
        toDevice.Clear();
        line.Clear();
        dataReceiver = null;
    }

    private void FromDevice(byte b)
    {
        if (!module.IsOn)
        {
            return;
        }
        if (dataReceiver != null)
        {
            var receiver = dataReceiver;
            if (!receiver.Take(b) && dataReceiver == receiver)
            {
                dataReceiver = null;
            }
            return;
        }
        if (module.Echo && !module.Faults.Mute)
        {
            Send(new[] { b });
        }
        if (b == (byte)'\r')
        {
            string command = line.ToString().Trim();
            line.Clear();
            if (command.Length > 0)
            {
                module.OnCommandLine(command);
            }
            return;
        }
        if (b != (byte)'\n' && line.Length < 600)
        {
            line.Append((char)b);
        }
    }

    private sealed class Port(EmulatedUart uart) : IByteStream
    {
        public int Read(byte[] buffer, int offset, int count)
        {
            var toDevice = uart.toDevice;
            long now = uart.module.Now;
            int n = 0;
            while (n < count && toDevice.Count > 0 && toDevice.Peek().At <= now)
            {
                var (at, bytes) = toDevice.Dequeue();
                int take = Math.Min(bytes.Length, count - n);
                Array.Copy(bytes, 0, buffer, offset + n, take);
                n += take;
                if (take < bytes.Length)
                {
                    // Put the rest back at the front.
                    var rest = bytes[take..];
                    var all = toDevice.ToList();
                    toDevice.Clear();
                    toDevice.Enqueue((at, rest));
                    foreach (var x in all) toDevice.Enqueue(x);
                }
            }
            return n;
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            for (int i = offset; i < offset + count; i++)
            {
                uart.FromDevice(buffer[i]);
            }
        }
    }
}
