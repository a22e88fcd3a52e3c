using System;
using System.Threading;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;
using nanoFramework.Networking;
using System.Device.Wifi;
using PanicDevice.Core.Mqtt;

namespace PanicDevice.Firmware
{
    /// <summary>
    /// nanoFramework.M2Mqtt over the ESP32's Wi-Fi as Core's <see cref="IMqttClientPort"/>. Joining Wi-Fi and
    /// M2Mqtt's Connect block, so each attempt runs on its own thread; the device loop only reads State.
    /// Retry timing, hung attempts and failover are Core's (BrokerClientUplink, DualUplink).
    /// </summary>
    internal sealed class M2MqttClientPort : IMqttClientPort
    {
        /// <summary>Longest Wi-Fi join per attempt (WifiNetworkHelper gives up when the token is cancelled).</summary>
        private const int WifiJoinMs = 20000;
        private const string WillMessage = "offline";

        private readonly string ssid;
        private readonly string password;
        private readonly DownlinkInbox inbox;
        private readonly object sync = new object();
        private MqttClient client;
        private string downlinkTopic;
        private int state;
        private string lastError;
        // Each attempt's number; Close moves it on, so an abandoned attempt that finishes late changes nothing.
        private int generation;

        public M2MqttClientPort(string ssid, string password, int maxPacketBytes)
        {
            this.ssid = ssid;
            this.password = password;
            inbox = new DownlinkInbox(DownlinkInbox.DefaultCapacity, maxPacketBytes);
        }

        public MqttPortState State
        {
            get { lock (sync) { return (MqttPortState)state; } }
        }

        public string LastError
        {
            get { lock (sync) { return lastError; } }
        }

        public void BeginConnect(MqttSessionOptions options)
        {
            int gen;
            lock (sync)
            {
                if (state == (int)MqttPortState.Connecting || state == (int)MqttPortState.Connected)
                {
                    return;
                }
                state = (int)MqttPortState.Connecting;
                gen = ++generation;
            }
            MqttSessionOptions o = options;
            new Thread(() => Attempt(o, gen)).Start();
        }

        public bool Publish(string topic, byte[] payload)
        {
            MqttClient c = client;
            if (c == null || State != MqttPortState.Connected)
            {
                return false;
            }
            if (!c.IsConnected)
            {
                // M2Mqtt clears IsConnected as soon as it sees the connection fail, before ConnectionClosed is raised
                // on its own thread; a Publish now would only queue the frame in a client that is closing.
                Finish(generation, MqttPortState.Failed, "Wi-Fi MQTT connection lost");
                return false;
            }
            try
            {
                c.Publish(topic, payload, null, null, MqttQoSLevel.AtLeastOnce, false);
                return true;
            }
            catch (Exception e)
            {
                Finish(generation, MqttPortState.Failed, "publish refused: " + e.Message);
                return false;
            }
        }

        public byte[] TakeReceived()
        {
            return inbox.Take();
        }

        public void Close()
        {
            MqttClient c = client;
            client = null;
            if (c != null)
            {
                try
                {
                    c.Close();
                }
                catch (Exception)
                {
                    // Closing a broken client can throw; it is being dropped either way.
                }
            }
            lock (sync)
            {
                state = (int)MqttPortState.Idle;
                generation++;
            }
        }

        private void Attempt(MqttSessionOptions o, int gen)
        {
            MqttClient c = null;
            try
            {
                CancellationTokenSource join = new CancellationTokenSource(WifiJoinMs);
                if (!WifiNetworkHelper.ConnectDhcp(ssid, password, WifiReconnectionKind.Automatic, false, 0, join.Token))
                {
                    // The SSID is fine to show; the Wi-Fi password never goes into an error.
                    Finish(gen, MqttPortState.Failed, "Wi-Fi join to " + ssid + " failed (status " + (int)WifiNetworkHelper.Status + ")");
                    return;
                }
                c = new MqttClient(o.Host, o.Port, false, null, null, MqttSslProtocols.None);
                c.MqttMsgPublishReceived += OnPublishReceived;
                c.ConnectionClosed += OnConnectionClosed;
                downlinkTopic = o.DownlinkTopic;
                MqttReasonCode code = c.Connect(o.ClientId, o.LoginName, o.Password, false, MqttQoSLevel.AtLeastOnce, o.WillTopic != null,
                    o.WillTopic, WillMessage, o.CleanSession, (ushort)o.KeepAliveSeconds);
                if (code != MqttReasonCode.Success)
                {
                    c.Close();
                    Finish(gen, MqttPortState.Failed, "broker refused the connection (reason " + (int)code + ")");
                    return;
                }
                c.Subscribe(new string[] { o.DownlinkTopic }, new MqttQoSLevel[] { MqttQoSLevel.AtLeastOnce });
                lock (sync)
                {
                    if (gen != generation)
                    {
                        // Abandoned (Close) while it hung: a late connection must not run beside the next attempt's.
                        c.Close();
                        return;
                    }
                    if (!c.IsConnected)
                    {
                        // ConnectionClosed runs on M2Mqtt's dispatch thread and may have come before client was set,
                        // when OnConnectionClosed could not know this client: it must not be reported Connected.
                        c.Close();
                        state = (int)MqttPortState.Failed;
                        lastError = "Wi-Fi MQTT connection closed while connecting";
                        return;
                    }
                    // Published and marked Connected in one step, so OnConnectionClosed sees either neither or both.
                    client = c;
                    state = (int)MqttPortState.Connected;
                }
            }
            catch (Exception e)
            {
                if (c != null)
                {
                    try
                    {
                        c.Close();
                    }
                    catch (Exception)
                    {
                        // Already broken.
                    }
                }
                // M2Mqtt's messages name the host and socket error, never the password.
                Finish(gen, MqttPortState.Failed, "Wi-Fi MQTT: " + e.Message);
            }
        }

        private void OnPublishReceived(object sender, MqttMsgPublishEventArgs e)
        {
            if (e.Topic == downlinkTopic)
            {
                inbox.Add(e.Message);
            }
        }

        private void OnConnectionClosed(object sender, EventArgs e)
        {
            // Raised on M2Mqtt's dispatch thread (MqttClient.cs DispatchEventThread), concurrently with Attempt and the loop.
            lock (sync)
            {
                if (sender != client || client == null)
                {
                    return;
                }
                client = null;
                state = (int)MqttPortState.Failed;
                lastError = "Wi-Fi MQTT connection closed";
            }
        }

        private void Finish(int gen, MqttPortState to, string why)
        {
            lock (sync)
            {
                if (gen != generation)
                {
                    return;
                }
                state = (int)to;
                if (why != null)
                {
                    lastError = why;
                }
            }
        }
    }
}
