using System;
using System.Collections;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Delivery
{
    /// <summary>Power lost at every storage operation of a delivery, and reboots mid-delivery: after the reboot nothing is lost, nothing is texted twice and no counter is reused.</summary>
    [TestClass]
    public class DeliveryPowerLossTests
    {
        [TestMethod]
        public void PowerLossAtEveryStepLosesNoAlertAndReusesNoCounter()
        {
            int scenarios = 0;
            int[] tears = new int[] { 0, 5, 40, 200 };
            for (int op = 0; op < 40; op++)
            {
                for (int k = 0; k < tears.Length; k++)
                {
                    int tornAt = tears[k];
                    FlashRecordStore store = new FlashRecordStore();
                    Hashtable everSent = new Hashtable();
                    ArrayList raised = new ArrayList();
                    Hashtable acked = new Hashtable();
                    store.FailAtOperation(op, tornAt);
                    DeviceUnderTest d = new DeviceUnderTest(store);
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
                    DeviceUnderTest after = new DeviceUnderTest(store, 100_000);
                    after.Uplink.Connected = true;
                    Hashtable redelivered = new Hashtable();
                    after.Uplink.OnPublish = b =>
                    {
                        Record(everSent, b);
                        redelivered[DeviceUnderTest.Decode(b).Counter] = true;
                    };
                    after.Engine.Poll(100_000);
                    // A new alert after the reboot must get a counter never used before.
                    uint fresh = after.Engine.RaiseAlert(AlertCode.Panic, 100_001);
                    Assert.AreNotEqual(0u, fresh);

                    for (int i = 0; i < raised.Count; i++)
                    {
                        uint c = (uint)raised[i];
                        if (!acked.Contains(c))
                        {
                            Assert.IsTrue(redelivered.Contains(c), "alert " + c.ToString() + " lost after power loss at operation " + op.ToString() + " torn at " + tornAt.ToString());
                        }
                    }
                }
            }
            Assert.IsTrue(scenarios > 10, "the script must cross many storage operations, crossed " + scenarios.ToString());
        }

        private static void Record(Hashtable everSent, byte[] frame)
        {
            uint c = DeviceUnderTest.Decode(frame).Counter;
            byte[] earlier = (byte[])everSent[c];
            if (earlier != null)
            {
                Expect.SameBytes(earlier, frame, "counter " + c.ToString() + " was used for two different frames");
            }
            everSent[c] = frame;
        }

        /// <summary>Press, send, ack, removal, a second alert with an SMS fallback, a cancel.</summary>
        /// <remarks>
        /// The engine catches storage exceptions (it must still text for help), so a step can return after
        /// the power failed; a dead CPU would not have, so the script stops at the first step that saw it.
        /// </remarks>
        private static void RunScript(DeviceUnderTest d, ArrayList raised, Hashtable acked)
        {
            uint a1 = d.Engine.RaiseAlert(AlertCode.Panic, 0);
            StopIfDead(d);
            raised.Add(a1);
            byte[] first = d.Uplink.Last;
            d.Receive(DeviceUnderTest.AckFor(first), 500);
            StopIfDead(d);
            acked[a1] = true;
            d.Uplink.Connected = false;
            uint a2 = d.Engine.RaiseAlert(AlertCode.Panic, 1000);
            StopIfDead(d);
            raised.Add(a2);
            for (long t = 1000; t <= 80_000; t += 1000)
            {
                d.Engine.Poll(t);
                StopIfDead(d);
            }
            d.Engine.Cancel(false, 81_000);
            StopIfDead(d);
            d.Uplink.Connected = true;
            d.Engine.Poll(82_000);
            StopIfDead(d);
            object[] published = d.Uplink.Published.ToArray();
            for (int i = 0; i < published.Length; i++)
            {
                byte[] p = (byte[])published[i];
                d.Receive(DeviceUnderTest.AckFor(p), 83_000);
                StopIfDead(d);
                acked[DeviceUnderTest.Decode(p).Counter] = true;
            }
        }

        private static void StopIfDead(DeviceUnderTest d)
        {
            if (d.Store.PowerFailed)
            {
                throw new PowerLossException();
            }
        }

        [TestMethod]
        public void ARebootBeforeTheAckResendsTheSameFrameAndTextsAtAFreshDeadline()
        {
            FlashRecordStore store = new FlashRecordStore();
            DeviceUnderTest d = new DeviceUnderTest(store, 0, o => o.FollowUpIntervalMs = 10_000);
            d.Uplink.Connected = true;
            uint c = d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] sent = d.Uplink.Single;

            // Power fails before any ack; the monotonic clock starts again at 0 with the boot.
            DeviceUnderTest after = new DeviceUnderTest(store, 0, o => o.FollowUpIntervalMs = 10_000);
            Assert.IsTrue(after.Engine.AlertActive, "the unacknowledged alert is active again");
            Assert.AreEqual(c, after.Engine.ActiveAlertCounter);
            after.Engine.Poll(after.Options.SmsDeadlineMs - 1);
            Assert.AreEqual(0, after.Sms.Messages.Count, "a fresh deadline from the boot, not before");
            after.Engine.Poll(after.Options.SmsDeadlineMs);
            Assert.AreEqual(1, after.Sms.CountTo("112"), "SMS at the fresh deadline");
            after.Uplink.Connected = true;
            after.Engine.Poll(after.Options.SmsDeadlineMs + 100);
            Expect.SameBytes(sent, after.Uplink.Payload(0), "the very frame stored before the crash is sent again, oldest first");
            Assert.IsTrue(after.Uplink.DistinctOf(MessageKind.Update) >= 1, "follow-ups resumed with the alert");
            after.Receive(DeviceUnderTest.AckFor(sent), after.Options.SmsDeadlineMs + 200);
            Assert.AreEqual(1, after.Feedback.CountOf(FeedbackEvent.Acknowledged), "the ack after the reboot is shown");
            for (int i = 0; i < after.Outbox.Entries().Length; i++)
            {
                Assert.AreNotEqual(c, DeviceUnderTest.Decode(after.Outbox.Entries()[i].Frame).Counter, "the acknowledged alert left the outbox");
            }
        }

        [TestMethod]
        public void ARebootAfterTheSmsFallbackNeverTextsTheSameAlertAgain()
        {
            FlashRecordStore store = new FlashRecordStore();
            DeviceUnderTest d = new DeviceUnderTest(store);
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            for (long t = 0; t <= d.Options.SmsDeadlineMs + 1000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(4, d.Sms.Messages.Count, "112, two guardians and the gateway were texted");
            Assert.IsTrue(new AlertOutbox(store, AlertOutbox.DefaultCapacity).Entries()[0].Has(OutboxEntry.HumanSmsSent | OutboxEntry.GatewaySmsSent), "and that is on flash");

            DeviceUnderTest after = new DeviceUnderTest(store, 0);
            Assert.IsTrue(after.Engine.AlertActive);
            for (long t = 0; t <= 200_000; t += 1000)
            {
                after.Engine.Poll(t);
            }
            Assert.AreEqual(0, after.Sms.Messages.Count, "nobody is texted twice about one alert");
        }
    }
}
