using System;
using System.Collections;
using PanicDevice.Core.Net;

namespace PanicDevice.Tests.Support
{
    /// <summary>
    /// Core's <see cref="ITcpLink"/> wired straight to an <see cref="ITcpPeer"/> (a scripted broker), on the
    /// test's clock: the open succeeds or fails as the peer decides, every byte can take <see cref="LatencyMs"/>
    /// each way, reads can be cut into small pieces, and the network can drop the connection. Bytes the peer
    /// sent before it closed stay readable until the device has read them, as with a socket (and a modem that
    /// reports CLOSED after the data), so a broker's last word (a refusing CONNACK) reaches the device.
    /// </summary>
    public class PeerLink : ITcpLink
    {
        private readonly ITcpPeer peer;
        private readonly ArrayList toPeer = new ArrayList();
        private readonly ArrayList fromPeer = new ArrayList();
        private readonly byte[] takeBuffer = new byte[1024];
        private TcpLinkState state = TcpLinkState.Closed;
        private string host;
        private int port;
        private long openDueMs;
        private long nowMs;
        private int fromPeerOffset;
        private int readableThisPoll;
        private bool dropped;

        /// <summary>One-way delay on the test clock for the open, each sent byte and each received byte.</summary>
        public int LatencyMs;
        /// <summary>At most this many bytes become readable per Poll (0: no limit): a modem hands data over a few bytes at a time.</summary>
        public int ReadChunkBytes;
        /// <summary>Opens asked for, Closes done, Receive calls that returned data.</summary>
        public int Opens;
        public int Closes;
        public int Reads;

        private class Chunk
        {
            public long DueMs;
            public byte[] Bytes;
        }

        public PeerLink(ITcpPeer peer)
        {
            this.peer = peer;
        }

        /// <summary>The network loses the connection: bytes on the way are gone, and the next Poll shows Failed.</summary>
        public void Drop()
        {
            dropped = true;
        }

        public TcpLinkState State
        {
            get { return state; }
        }

        public void Open(string host, int port, long nowMs)
        {
            Opens++;
            this.host = host;
            this.port = port;
            Forget();
            dropped = false;
            openDueMs = nowMs + LatencyMs;
            state = TcpLinkState.Opening;
        }

        public void Close(long nowMs)
        {
            Closes++;
            Forget();
            state = TcpLinkState.Closed;
        }

        public int Send(byte[] data, int offset, int count, long nowMs)
        {
            if (state != TcpLinkState.Open || dropped)
            {
                return 0;
            }
            Chunk c = new Chunk();
            c.DueMs = nowMs + LatencyMs;
            c.Bytes = new byte[count];
            Array.Copy(data, offset, c.Bytes, 0, count);
            toPeer.Add(c);
            DeliverToPeer(nowMs);
            return count;
        }

        public int Receive(byte[] buffer, int offset, int count)
        {
            if (state != TcpLinkState.Open)
            {
                return 0;
            }
            int n = 0;
            while (n < count && fromPeer.Count > 0 && (ReadChunkBytes <= 0 || readableThisPoll > 0))
            {
                Chunk head = (Chunk)fromPeer[0];
                if (head.DueMs > nowMs)
                {
                    break;
                }
                int part = head.Bytes.Length - fromPeerOffset;
                if (part > count - n)
                {
                    part = count - n;
                }
                if (ReadChunkBytes > 0 && part > readableThisPoll)
                {
                    part = readableThisPoll;
                }
                Array.Copy(head.Bytes, fromPeerOffset, buffer, offset + n, part);
                n += part;
                readableThisPoll -= part;
                fromPeerOffset += part;
                if (fromPeerOffset == head.Bytes.Length)
                {
                    fromPeer.RemoveAt(0);
                    fromPeerOffset = 0;
                }
            }
            if (n > 0)
            {
                Reads++;
            }
            return n;
        }

        public void Poll(long nowMs)
        {
            this.nowMs = nowMs;
            readableThisPoll = ReadChunkBytes;
            if (dropped && (state == TcpLinkState.Open || state == TcpLinkState.Opening))
            {
                Forget();
                state = TcpLinkState.Failed;
                return;
            }
            if (state == TcpLinkState.Opening && nowMs >= openDueMs)
            {
                state = peer.Accept(host, port, nowMs) ? TcpLinkState.Open : TcpLinkState.Failed;
            }
            if (state != TcpLinkState.Open)
            {
                return;
            }
            DeliverToPeer(nowMs);
            int n;
            while ((n = peer.Take(takeBuffer, 0, takeBuffer.Length, nowMs)) > 0)
            {
                Chunk c = new Chunk();
                c.DueMs = nowMs + LatencyMs;
                c.Bytes = new byte[n];
                Array.Copy(takeBuffer, 0, c.Bytes, 0, n);
                fromPeer.Add(c);
            }
            if (peer.Closed && fromPeer.Count == 0)
            {
                Forget();
                state = TcpLinkState.Failed;
            }
        }

        private void DeliverToPeer(long nowMs)
        {
            while (toPeer.Count > 0 && ((Chunk)toPeer[0]).DueMs <= nowMs)
            {
                Chunk c = (Chunk)toPeer[0];
                toPeer.RemoveAt(0);
                if (!peer.Closed)
                {
                    peer.Receive(c.Bytes, 0, c.Bytes.Length, nowMs);
                }
            }
        }

        private void Forget()
        {
            toPeer.Clear();
            fromPeer.Clear();
            fromPeerOffset = 0;
        }
    }
}
