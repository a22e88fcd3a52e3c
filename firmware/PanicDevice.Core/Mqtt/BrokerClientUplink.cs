using System;
using PanicDevice.Core.Delivery;

namespace PanicDevice.Core.Mqtt
{
    /// <summary>
    /// The uplink over a library MQTT client (<see cref="IMqttClientPort"/>: M2Mqtt over Wi-Fi on wall
    /// units). The library keeps its own keep-alive and QoS 1 retries; this class decides when to connect,
    /// backs off after failures (doubling from <see cref="MqttSessionOptions.ReconnectMinMs"/> to
    /// <see cref="MqttSessionOptions.ReconnectMaxMs"/>), abandons an attempt that hangs, and moves downlink
    /// payloads from the library's thread to the delivery engine on the device loop.
    /// </summary>
    public class BrokerClientUplink : IUplink
    {
        /// <summary>Downlink payloads handed to the listener per Poll, so a flood cannot stall the loop.</summary>
        public const int MaxDownlinksPerPoll = 8;

        private readonly MqttSessionOptions options;
        private readonly IMqttClientPort port;
        private IDownlinkListener listener;
        private MqttPortState lastState = MqttPortState.Idle;
        private long nextAttemptMs;
        private long attemptStartedMs = -1;
        private int backoffMs;
        private bool started;

        /// <summary>Connection attempts that failed, plus connections that dropped.</summary>
        public int Failures;
        /// <summary>Attempts abandoned because the port stayed Connecting too long.</summary>
        public int Abandoned;
        /// <summary>Why the last attempt or connection ended; null while none did.</summary>
        public string LastError;

        /// <summary>Creates the uplink; it starts connecting on the first <see cref="Poll"/>.</summary>
        public BrokerClientUplink(MqttSessionOptions options, IMqttClientPort port)
        {
            if (options == null || options.Host == null || options.ClientId == null || options.UplinkTopic == null || options.DownlinkTopic == null)
            {
                throw new ArgumentException("the MQTT uplink needs host, client id, uplink and downlink topics");
            }
            if (port == null)
            {
                throw new ArgumentNullException("port");
            }
            this.options = options;
            this.port = port;
            backoffMs = options.ReconnectMinMs;
        }

        /// <summary>True while the client is connected and subscribed.</summary>
        public bool IsConnected
        {
            get { return port.State == MqttPortState.Connected; }
        }

        /// <summary>When the next connection attempt may start (after a failure); meaningful while not connected.</summary>
        public long NextAttemptMs
        {
            get { return nextAttemptMs; }
        }

        /// <summary>Where downlink payloads go.</summary>
        public void SetListener(IDownlinkListener downlinkListener)
        {
            listener = downlinkListener;
        }

        /// <summary>Queues a QoS 1 publish on the uplink topic; false when not connected or the client refused it.</summary>
        public bool Publish(byte[] payload, long nowMs)
        {
            if (payload == null || !IsConnected)
            {
                return false;
            }
            return port.Publish(options.UplinkTopic, payload);
        }

        /// <summary>Delivers what arrived, notices drops and failures, and starts the next attempt when its time has come.</summary>
        public void Poll(long nowMs)
        {
            for (int i = 0; i < MaxDownlinksPerPoll; i++)
            {
                byte[] payload = port.TakeReceived();
                if (payload == null)
                {
                    break;
                }
                if (listener != null)
                {
                    listener.OnDownlink(payload, nowMs);
                }
            }

            MqttPortState state = port.State;
            if (state != lastState)
            {
                OnStateChange(lastState, state, nowMs);
                lastState = state;
            }

            if (state == MqttPortState.Connecting)
            {
                // The libraries' own timeouts should end an attempt; a join or CONNECT that hangs anyway must not
                // keep the uplink dead for good.
                long limit = 2L * options.ConnectTimeoutMs;
                if (attemptStartedMs >= 0 && nowMs - attemptStartedMs >= limit)
                {
                    Abandoned++;
                    port.Close();
                    Fail("connection attempt hung for " + (limit / 1000) + " s", nowMs);
                    lastState = port.State;
                }
                return;
            }
            if ((state == MqttPortState.Idle || state == MqttPortState.Failed) && (!started || nowMs >= nextAttemptMs))
            {
                started = true;
                attemptStartedMs = nowMs;
                port.BeginConnect(options);
                lastState = port.State;
                if (lastState == MqttPortState.Connected)
                {
                    Succeeded();
                }
            }
        }

        private void OnStateChange(MqttPortState from, MqttPortState to, long nowMs)
        {
            if (to == MqttPortState.Connected)
            {
                Succeeded();
                return;
            }
            if (to == MqttPortState.Failed || (to == MqttPortState.Idle && from != MqttPortState.Idle))
            {
                string why = port.LastError;
                Fail(why == null ? (from == MqttPortState.Connected ? "connection to the broker closed" : "connection attempt failed") : why, nowMs);
            }
        }

        private void Succeeded()
        {
            backoffMs = options.ReconnectMinMs;
            attemptStartedMs = -1;
        }

        private void Fail(string why, long nowMs)
        {
            Failures++;
            LastError = why;
            attemptStartedMs = -1;
            nextAttemptMs = nowMs + backoffMs;
            backoffMs = backoffMs >= options.ReconnectMaxMs / 2 ? options.ReconnectMaxMs : backoffMs * 2;
        }
    }
}
