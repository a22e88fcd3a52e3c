using System.Collections;

namespace PanicDevice.Core.Mqtt
{
    /// <summary>
    /// Hands downlink payloads from a library client's receive thread to the device loop. Bounded: a broker
    /// (or an attacker on the topic) cannot grow the heap of a device with ~100 KB free; a payload that does
    /// not fit is dropped and counted, which costs nothing that matters, because an unacknowledged alert is
    /// published again and the receiver acknowledges it again.
    /// </summary>
    public class DownlinkInbox
    {
        /// <summary>Payloads kept by default: more than the 8 publishes in flight can be acknowledged at once.</summary>
        public const int DefaultCapacity = 16;

        private readonly object sync = new object();
        private readonly ArrayList items = new ArrayList();
        private readonly int capacity;
        private readonly int maxPayloadBytes;
        private int dropped;

        /// <summary>An inbox for at most <paramref name="capacity"/> payloads of at most <paramref name="maxPayloadBytes"/> each.</summary>
        public DownlinkInbox(int capacity, int maxPayloadBytes)
        {
            this.capacity = capacity < 1 ? 1 : capacity;
            this.maxPayloadBytes = maxPayloadBytes < 1 ? 1 : maxPayloadBytes;
        }

        /// <summary>Payloads refused so far (inbox full, empty or oversized payload).</summary>
        public int Dropped
        {
            get
            {
                lock (sync)
                {
                    return dropped;
                }
            }
        }

        /// <summary>Payloads waiting.</summary>
        public int Count
        {
            get
            {
                lock (sync)
                {
                    return items.Count;
                }
            }
        }

        /// <summary>Called from any thread; false when the payload was dropped.</summary>
        public bool Add(byte[] payload)
        {
            lock (sync)
            {
                if (payload == null || payload.Length == 0 || payload.Length > maxPayloadBytes || items.Count >= capacity)
                {
                    dropped++;
                    return false;
                }
                items.Add(payload);
                return true;
            }
        }

        /// <summary>The oldest payload, or null when none waits.</summary>
        public byte[] Take()
        {
            lock (sync)
            {
                if (items.Count == 0)
                {
                    return null;
                }
                byte[] first = (byte[])items[0];
                items.RemoveAt(0);
                return first;
            }
        }

        /// <summary>Forgets what waits (a new connection starts clean; the broker re-delivers what was not acknowledged).</summary>
        public void Clear()
        {
            lock (sync)
            {
                items.Clear();
            }
        }
    }
}
