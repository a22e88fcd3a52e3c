using System;
using System.Collections;
using PanicDevice.Core.Storage;

namespace PanicDevice.Tests.Support
{
    /// <summary>Thrown by <see cref="FlashRecordStore"/> when the simulated power fails.</summary>
    public class PowerLossException : Exception
    {
        public PowerLossException() : base("simulated power loss") { }
    }

    /// <summary>
    /// An in-memory stand-in for the device's flash drive that can lose power in the middle of a write:
    /// the record then holds the first <c>tornAt</c> bytes of the new data followed by whatever was
    /// there before, which is how a non-atomic file rewrite can end up.
    /// </summary>
    public class FlashRecordStore : IRecordStore
    {
        private readonly Hashtable records = new Hashtable();
        private int writesUntilFailure = -1;
        private int tornAt;
        private int operationsUntilFailure = -1;
        private int writeCount;
        private int operations;
        private bool powerFailed;

        public int WriteCount
        {
            get { return writeCount; }
        }

        /// <summary>Writes and deletes performed so far (the unit of <see cref="FailAtOperation"/>).</summary>
        public int Operations
        {
            get { return operations; }
        }

        /// <summary>Power fails at storage operation number <paramref name="operation"/> (a write or a delete, counting from 0); a write is torn after <paramref name="bytesWritten"/> bytes, a delete does not happen.</summary>
        public void FailAtOperation(int operation, int bytesWritten)
        {
            operationsUntilFailure = operation;
            tornAt = bytesWritten;
        }

        /// <summary>True from the failure injected by <see cref="FailAtOperation"/> until <see cref="Revive"/>: a dead device writes nothing more.</summary>
        public bool PowerFailed
        {
            get { return powerFailed; }
        }

        /// <summary>Power comes back (the reboot).</summary>
        public void Revive()
        {
            powerFailed = false;
        }

        private bool PowerFailsNow()
        {
            if (powerFailed)
            {
                throw new PowerLossException();
            }
            if (operationsUntilFailure == 0)
            {
                operationsUntilFailure = -1;
                powerFailed = true;
                return true;
            }
            if (operationsUntilFailure > 0)
            {
                operationsUntilFailure--;
            }
            operations++;
            return false;
        }

        /// <summary>The next write after <paramref name="writesFirst"/> successful ones is torn after <paramref name="bytesWritten"/> bytes.</summary>
        public void FailAfter(int writesFirst, int bytesWritten)
        {
            writesUntilFailure = writesFirst;
            tornAt = bytesWritten;
        }

        public byte[] Read(string name)
        {
            byte[] r = (byte[])records[name];
            return r == null ? null : (byte[])r.Clone();
        }

        public void Write(string name, byte[] data)
        {
            if (PowerFailsNow())
            {
                writesUntilFailure = 0;
            }
            if (writesUntilFailure == 0)
            {
                writesUntilFailure = -1;
                byte[] old = (byte[])records[name];
                if (old == null)
                {
                    old = new byte[0];
                }
                int kept = tornAt < data.Length ? tornAt : data.Length;
                byte[] torn = new byte[old.Length > kept ? old.Length : kept];
                Array.Copy(old, torn, old.Length);
                Array.Copy(data, torn, kept);
                records[name] = torn;
                throw new PowerLossException();
            }
            if (writesUntilFailure > 0)
            {
                writesUntilFailure--;
            }
            writeCount++;
            records[name] = (byte[])data.Clone();
        }

        public void Delete(string name)
        {
            if (PowerFailsNow())
            {
                throw new PowerLossException();
            }
            records.Remove(name);
        }
    }
}
