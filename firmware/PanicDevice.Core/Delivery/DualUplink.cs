using System;

namespace PanicDevice.Core.Delivery
{
    /// <summary>
    /// Two data paths behind one uplink, for wall units with Wi-Fi: the primary (Wi-Fi) carries frames while
    /// it works, the secondary (cellular) stands by connected. Failover does not wait for the primary to
    /// notice it is dead: a Wi-Fi that still says "connected" but has gone silent (router up, internet down)
    /// is the common failure. So every publish on the primary starts a clock, any downlink on the primary
    /// stops it, and once the primary has left a publish unanswered for <see cref="FailoverMs"/> it is
    /// suspect: from then on each frame goes out on both paths until the primary answers again. Sending a
    /// frame twice costs nothing but bytes: the receiver stores (device, counter) once and acknowledges both.
    /// </summary>
    public class DualUplink : IUplink
    {
        /// <summary>Default time the primary may leave a publish unanswered before frames also go on the secondary.</summary>
        public const int DefaultFailoverMs = 4000;

        private readonly IUplink primary;
        private readonly IUplink secondary;
        private readonly int failoverMs;
        private readonly PathTap primaryTap;
        private readonly PathTap secondaryTap;
        private IDownlinkListener listener;
        private long primaryUnansweredSinceMs = -1;
        private bool suspect;

        /// <summary>Frames published on the primary.</summary>
        public int PrimaryPublishes;
        /// <summary>Frames published on the secondary.</summary>
        public int SecondaryPublishes;
        /// <summary>Times the primary became suspect (went silent or disconnected with frames to send).</summary>
        public int Failovers;

        /// <summary>Primary first; <paramref name="failoverMs"/> as in <see cref="FailoverMs"/>.</summary>
        public DualUplink(IUplink primary, IUplink secondary, int failoverMs)
        {
            if (primary == null || secondary == null)
            {
                throw new ArgumentNullException("both uplinks are needed");
            }
            if (failoverMs < 100)
            {
                throw new ArgumentException("failoverMs must be at least 100");
            }
            this.primary = primary;
            this.secondary = secondary;
            this.failoverMs = failoverMs;
            primaryTap = new PathTap(this, true);
            secondaryTap = new PathTap(this, false);
            primary.SetListener(primaryTap);
            secondary.SetListener(secondaryTap);
        }

        /// <summary>How long the primary may leave a publish unanswered before it is suspect.</summary>
        public int FailoverMs
        {
            get { return failoverMs; }
        }

        /// <summary>True while frames also (or only) go out on the secondary.</summary>
        public bool PrimarySuspect
        {
            get { return suspect; }
        }

        /// <summary>True when either path is up.</summary>
        public bool IsConnected
        {
            get { return primary.IsConnected || secondary.IsConnected; }
        }

        /// <summary>Where downlink payloads from either path go.</summary>
        public void SetListener(IDownlinkListener downlinkListener)
        {
            listener = downlinkListener;
        }

        /// <summary>
        /// Publishes on the primary when it is connected, and on the secondary as well when the primary is
        /// suspect, down, or refused the frame. True when at least one path took it.
        /// </summary>
        public bool Publish(byte[] payload, long nowMs)
        {
            UpdateSuspicion(nowMs);
            bool onPrimary = false;
            if (primary.IsConnected)
            {
                onPrimary = primary.Publish(payload, nowMs);
                if (onPrimary)
                {
                    PrimaryPublishes++;
                    if (primaryUnansweredSinceMs < 0)
                    {
                        primaryUnansweredSinceMs = nowMs;
                    }
                }
            }
            if (!onPrimary && !suspect)
            {
                suspect = true;
                Failovers++;
            }
            bool onSecondary = false;
            if (suspect && secondary.IsConnected)
            {
                onSecondary = secondary.Publish(payload, nowMs);
                if (onSecondary)
                {
                    SecondaryPublishes++;
                }
            }
            return onPrimary || onSecondary;
        }

        /// <summary>Advances both paths.</summary>
        public void Poll(long nowMs)
        {
            primary.Poll(nowMs);
            secondary.Poll(nowMs);
            UpdateSuspicion(nowMs);
        }

        private void UpdateSuspicion(long nowMs)
        {
            if (!suspect && primaryUnansweredSinceMs >= 0 && nowMs - primaryUnansweredSinceMs >= failoverMs)
            {
                suspect = true;
                Failovers++;
            }
        }

        private void OnDownlink(bool fromPrimary, byte[] payload, long atMs)
        {
            if (fromPrimary)
            {
                // Any frame from the receiver over the primary proves the whole path (Wi-Fi, internet, broker) works.
                primaryUnansweredSinceMs = -1;
                suspect = false;
            }
            if (listener != null)
            {
                listener.OnDownlink(payload, atMs);
            }
        }

        private class PathTap : IDownlinkListener
        {
            private readonly DualUplink owner;
            private readonly bool primary;

            public PathTap(DualUplink owner, bool primary)
            {
                this.owner = owner;
                this.primary = primary;
            }

            public void OnDownlink(byte[] payload, long atMs)
            {
                owner.OnDownlink(primary, payload, atMs);
            }
        }
    }
}
