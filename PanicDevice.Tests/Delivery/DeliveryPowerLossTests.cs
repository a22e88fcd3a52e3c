using PanicDevice.Core.Delivery;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Delivery;

/// <summary>Power lost at every storage operation of a delivery: after the reboot nothing is lost and no counter is reused.</summary>
[TestClass]
public class DeliveryPowerLossTests
{
    [TestMethod]
    public void PowerLossAtEveryStepLosesNoAlertAndReusesNoCounter()
    {
        int scenarios = 0;
        for (int op = 0; op < 40; op++)
        {
            foreach (int tornAt in new[] { 0, 5, 40, 200 })
            {
                var store = new FlashRecordStore();
                var everSent = new Dictionary<uint, byte[]>();
                var raised = new List<uint>();
                var acked = new HashSet<uint>();
                store.FailAtOperation(op, tornAt);
                var d = new DeviceUnderTest(store);
                d.Uplink.Connected = true;
                d.Uplink.OnPublish = b => Record(everSent, b);
                bool crashed = false;
                try
                {
                    RunScript(d, raised, acked);
                }
                catch (PowerLossException)
                {
                    crashed = true;
                }
                if (!crashed)
                {
                    continue; // this op number is past the end of the script
                }
                scenarios++;

                // Reboot on the same flash and let the data path deliver everything that is left.
                var after = new DeviceUnderTest(store, bootMs: 100_000);
                after.Uplink.Connected = true;
                after.Uplink.OnPublish = b => Record(everSent, b);
                var redelivered = new HashSet<uint>();
                after.Uplink.OnPublish += b => redelivered.Add(DeviceUnderTest.Decode(b).Counter);
                after.Engine.Poll(100_000);
                // A new alert after the reboot must get a counter never used before.
                uint fresh = after.Engine.RaiseAlert(AlertCode.Panic, 100_001);
                Assert.AreNotEqual(0u, fresh);

                foreach (uint c in raised.Where(c => !acked.Contains(c)))
                {
                    Assert.Contains(c, redelivered, "alert " + c + " lost after power loss at operation " + op + " torn at " + tornAt);
                }
            }
        }
        Assert.IsGreaterThan(10, scenarios, "the script must cross many storage operations");
    }

    private static void Record(Dictionary<uint, byte[]> everSent, byte[] frame)
    {
        uint c = DeviceUnderTest.Decode(frame).Counter;
        if (everSent.TryGetValue(c, out var earlier))
        {
            CollectionAssert.AreEqual(earlier, frame, "counter " + c + " was used for two different frames");
        }
        everSent[c] = frame;
    }

    /// <summary>Press, send, ack, removal, a second alert with an SMS fallback, a cancel.</summary>
    /// <remarks>
    /// The engine catches storage exceptions (it must still text for help), so a step can return after
    /// the power failed; a dead CPU would not have, so the script stops at the first step that saw it.
    /// </remarks>
    private static void RunScript(DeviceUnderTest d, List<uint> raised, HashSet<uint> acked)
    {
        void Step(Action a)
        {
            a();
            if (d.Store.PowerFailed) throw new PowerLossException();
        }
        uint a1 = 0, a2 = 0;
        Step(() => a1 = d.Engine.RaiseAlert(AlertCode.Panic, 0));
        raised.Add(a1);
        byte[] first = d.Uplink.Published.Last();
        Step(() => d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(first), 500));
        acked.Add(a1);
        d.Uplink.Connected = false;
        Step(() => a2 = d.Engine.RaiseAlert(AlertCode.Panic, 1000));
        raised.Add(a2);
        for (long t = 1000; t <= 80_000; t += 1000)
        {
            long now = t;
            Step(() => d.Engine.Poll(now));
        }
        Step(() => d.Engine.Cancel(false, 81_000));
        d.Uplink.Connected = true;
        Step(() => d.Engine.Poll(82_000));
        foreach (byte[] p in d.Uplink.Published.ToList())
        {
            Step(() => d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(p), 83_000));
            acked.Add(DeviceUnderTest.Decode(p).Counter);
        }
    }
}
