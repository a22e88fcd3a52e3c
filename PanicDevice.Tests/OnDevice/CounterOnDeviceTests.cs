#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif
using System.Collections;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Storage;

namespace PanicDevice.Tests.OnDevice
{
    /// <summary>The frame counter on the device's runtime: increasing, and never reused after a restart.</summary>
    [TestClass]
    public class CounterOnDeviceTests
    {
        private sealed class TableStore : IRecordStore
        {
            private readonly Hashtable records = new Hashtable();

            public byte[] Read(string name)
            {
                return records.Contains(name) ? (byte[])((byte[])records[name]).Clone() : null;
            }

            public void Write(string name, byte[] data)
            {
                records[name] = data.Clone();
            }

            public void Delete(string name)
            {
                records.Remove(name);
            }
        }

        [TestMethod]
        public void ValuesIncreaseAndARestartNeverReusesOne()
        {
            TableStore flash = new TableStore();
            MonotonicCounter first = new MonotonicCounter(flash, "ctr", 4);
            uint last = 0;
            for (int i = 0; i < 10; i++)
            {
                uint v = first.Next();
                Assert.IsTrue(v > last, "strictly increasing");
                last = v;
            }
            MonotonicCounter afterReboot = new MonotonicCounter(flash, "ctr", 4);
            Assert.IsTrue(afterReboot.Next() > last, "no value is reused after a restart");
        }
    }
}
