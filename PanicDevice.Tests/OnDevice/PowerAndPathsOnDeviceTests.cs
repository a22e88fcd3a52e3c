#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif
using System.Collections;
using PanicDevice.Core.Delivery;

namespace PanicDevice.Tests.OnDevice
{
    /// <summary>
    /// The Wi-Fi/cellular failover on the device's runtime: the failover clock must give the same decisions there.
    /// (The battery arithmetic check moved to the shared Power/BatteryGaugeTests.)
    /// </summary>
    [TestClass]
    public class PowerAndPathsOnDeviceTests
    {
        private sealed class DataPath : IUplink
        {
            public bool Up = true;
            public readonly ArrayList Sent = new ArrayList();
            public IDownlinkListener Listener;

            public bool IsConnected
            {
                get { return Up; }
            }

            public bool Publish(byte[] payload, long nowMs)
            {
                if (!Up)
                {
                    return false;
                }
                Sent.Add(payload);
                return true;
            }

            public void SetListener(IDownlinkListener listener)
            {
                Listener = listener;
            }

            public void Poll(long nowMs)
            {
            }
        }

        private sealed class Heard : IDownlinkListener
        {
            public int Count;

            public void OnDownlink(byte[] payload, long atMs)
            {
                Count++;
            }
        }

        [TestMethod]
        public void ASilentWifiSendsTheNextFrameOnCellularAfterTheFailoverTime()
        {
            DataPath wifi = new DataPath();
            DataPath cell = new DataPath();
            DualUplink dual = new DualUplink(wifi, cell, 4000);
            Heard heard = new Heard();
            dual.SetListener(heard);
            dual.Publish(new byte[] { 1 }, 0);
            dual.Poll(3999);
            Assert.IsFalse(dual.PrimarySuspect);
            dual.Poll(4000);
            Assert.IsTrue(dual.PrimarySuspect);
            dual.Publish(new byte[] { 1 }, 6000);
            Assert.AreEqual(1, cell.Sent.Count);
            wifi.Listener.OnDownlink(new byte[] { 9 }, 6500);
            Assert.IsFalse(dual.PrimarySuspect, "an answer over Wi-Fi releases cellular");
            Assert.AreEqual(1, heard.Count);
        }
    }
}
