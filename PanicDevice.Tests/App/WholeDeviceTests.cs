using System.Collections;
using PanicDevice.Core.App;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.App
{
    /// <summary>
    /// The whole device as the firmware wires it (Program.cs): PanicDeviceApp over the MQTT session over the SIM800
    /// driver, the counter and outbox on flash, driven the way the firmware's loop drives it (every 20 ms), with only
    /// the module (ScriptedSim800) and the broker (ScriptedBroker, answering as the receiver does) standing in. On
    /// nanoFramework this file runs alone in PanicDevice.Tests.OnDevice.Budget under a small managed heap
    /// (.ci/run), so it also shows the device fits its memory budget.
    /// </summary>
    [TestClass]
    public class WholeDeviceTests
    {
        private const string Id = "fob-0007";
        private const long LoopMs = 20;

        /// <summary>One fob: its config, flash, modem, session and app, and what it showed its wearer.</summary>
        private sealed class Fob : IFeedbackListener
        {
            public readonly byte[] Key = DeviceKey();
            public readonly ScriptedBroker Broker = new ScriptedBroker();
            public readonly ScriptedSim800 Module;
            public readonly PanicDeviceApp App;
            public readonly ArrayList Shown = new ArrayList();
            public long Now;
            private int downlinkId = 1;

            public Fob(bool brokerReachable)
            {
                DeviceConfig config = new DeviceConfig();
                config.DeviceId = Id;
                // The device gets its own array, as Program.cs reads it from device.json; the test verifies with this one.
                config.Key = (byte[])Key.Clone();
                config.OwnerName = "Siti";
                config.GuardianNumbers = new string[] { "+6281200000001" };
                config.GatewayNumber = "+6281299999999";
                config.BrokerHost = "alerts.example.org";
                config.FollowUpIntervalS = 30;

                Broker.RefuseConnections = !brokerReachable;
                Broker.PublishArrived = AnswerLikeTheReceiver;
                Module = new ScriptedSim800(Broker);
                Sim800Modem modem = new Sim800Modem(Module, Module, new Sim800Settings());

                MqttSessionOptions mqtt = new MqttSessionOptions();
                mqtt.Host = config.BrokerHost;
                mqtt.Port = config.BrokerPort;
                mqtt.ClientId = Id;
                mqtt.Password = DeviceCredentials.MqttPassword(config.Key);
                mqtt.UplinkTopic = Topics.Uplink(Id);
                mqtt.DownlinkTopic = Topics.Downlink(Id);
                mqtt.WillTopic = Topics.Presence(Id);
                MqttClientSession session = new MqttClientSession(mqtt, modem);

                App = new PanicDeviceApp(config, null, new FlashRecordStore(), session, modem, new FixedTelemetry(1795914000),
                    new AlertSmsComposer(config.OwnerName, config.Language, null), this);
                App.Start(0);
            }

            private static byte[] DeviceKey()
            {
                byte[] k = new byte[FrameCodec.KeyLength];
                for (int i = 0; i < k.Length; i++)
                {
                    k[i] = (byte)(0x51 + 7 * i);
                }
                return k;
            }

            public void OnFeedback(FeedbackEvent feedback, long atMs)
            {
                Shown.Add((int)feedback);
            }

            public bool Showed(FeedbackEvent feedback)
            {
                return Shown.Contains((int)feedback);
            }

            /// <summary>The receiver stores the frame, then publishes its signed ack on the device's downlink topic.</summary>
            private void AnswerLikeTheReceiver(ScriptedBroker broker, ReceivedPublish publish, long nowMs)
            {
                DecodeResult r = FrameCodec.DecodeAndVerify(publish.Payload, Key);
                if (r.Status != DecodeStatus.Ok)
                {
                    return;
                }
                byte[] ack = FrameCodec.Encode(Frame.AckFor(r.Frame, 1795914100), Key);
                broker.PushPublish(Topics.Downlink(Id), ack, 1, downlinkId++, false);
            }

            /// <summary>The firmware's loop: the module and the app every 20 ms until the time.</summary>
            public void RunUntil(long t)
            {
                while (Now < t)
                {
                    Now += LoopMs;
                    Module.Poll(Now);
                    App.Poll(Now);
                }
            }

            public void Tap()
            {
                App.OnRawButtonEdge(true, Now);
                RunUntil(Now + 100);
                App.OnRawButtonEdge(false, Now);
                RunUntil(Now + 200);
            }

            /// <summary>The frames the broker received, decoded (publish retries included).</summary>
            public int CountPublished(MessageKind kind)
            {
                int n = 0;
                for (int i = 0; i < Broker.Publishes.Count; i++)
                {
                    Frame f = FrameCodec.DecodeAndVerify(Broker.Publish(i).Payload, Key).Frame;
                    if (f != null && f.Kind == kind)
                    {
                        n++;
                    }
                }
                return n;
            }
        }

        [TestMethod]
        public void APressIsPublishedAcknowledgedAndFollowedByPositions()
        {
            Fob fob = new Fob(true);
            fob.RunUntil(15000); // the modem starts, registers and attaches before the press
            fob.Tap();
            fob.Tap();
            fob.Tap();
            fob.RunUntil(fob.Now + 15000);

            Assert.AreEqual(1, fob.CountPublished(MessageKind.Alert), "one signed alert reached the broker: " + fob.Broker.Transcript);
            ReceivedConnect login = fob.Broker.Connect(0);
            Assert.AreEqual(Id, login.ClientId);
            Assert.AreEqual(DeviceCredentials.MqttPassword(fob.Key), login.Password, "the MQTT password derives from the key, which signing must not have wiped");
            Assert.IsTrue(fob.Showed(FeedbackEvent.Acknowledged), "the signed ack verified on the device");
            Assert.AreEqual(0, fob.Module.Sms.Count, "acked before the SMS deadline: no SMS");

            fob.RunUntil(fob.Now + 65000);
            Assert.IsTrue(fob.CountPublished(MessageKind.Update) >= 2, "follow-up positions every 30 s until the alert ends");
            Assert.AreEqual(0, fob.App.Engine.PendingCount, "every frame acknowledged, the outbox is empty");
            Assert.AreEqual(0, fob.Module.Sms.Count, "still no SMS");
        }

        [TestMethod]
        public void WithNoDataPathTheAlertIsTextedAtTheDeadline()
        {
            Fob fob = new Fob(false);
            fob.RunUntil(15000);
            fob.Tap();
            fob.Tap();
            fob.Tap();
            long pressedAt = fob.Now;
            fob.RunUntil(pressedAt + 19000);
            Assert.AreEqual(0, fob.Module.Sms.Count, "no SMS before the 20 s deadline");

            fob.RunUntil(pressedAt + 60000);
            string to112 = null;
            string toGateway = null;
            bool toGuardian = false;
            for (int i = 0; i < fob.Module.Sms.Count; i++)
            {
                ScriptedSms sms = (ScriptedSms)fob.Module.Sms[i];
                if (sms.Number == "112")
                {
                    to112 = sms.Text;
                }
                else if (sms.Number == "+6281299999999")
                {
                    toGateway = sms.Text;
                }
                else if (sms.Number == "+6281200000001")
                {
                    toGuardian = true;
                }
            }
            Assert.IsNotNull(to112, "the emergency number was texted");
            Expect.Contains("Siti", to112);
            Assert.IsTrue(toGuardian, "the guardian was texted");
            Assert.IsNotNull(toGateway, "the command centre's gateway got the frame");
            DecodeResult gateway = FrameCodec.DecodeAndVerify(FrameText.ToBytes(toGateway), fob.Key);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)gateway.Status, "the gateway SMS carries the signed alert");
            Assert.AreEqual((int)MessageKind.Alert, (int)gateway.Frame.Kind);
            Assert.IsTrue(fob.Showed(FeedbackEvent.SmsFallback), "the wearer learns the SMS fallback was used");
        }
    }
}
