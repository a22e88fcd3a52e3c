using System.Net;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// Connections that have not logged in yet, with a cap. Admitting one over the cap names another to close:
/// the oldest pending login of the address that holds the most. A client that opens connections and lets
/// them stall therefore evicts its own first, and a device whose login takes a second is evicted only if a
/// whole cap's worth of connections arrives from addresses with more pending logins than its own.
/// </summary>
internal sealed class PendingLogins<T>(int capacity) where T : class
{
    private readonly Dictionary<IPAddress, LinkedList<(long Order, T Item)>> byAddress = new();
    private readonly Dictionary<T, (IPAddress Address, LinkedListNode<(long, T)> Node)> where = new(ReferenceEqualityComparer.Instance);
    private long order;

    public int Count
    {
        get
        {
            lock (where)
            {
                return where.Count;
            }
        }
    }

    /// <summary>Adds a connection; returns the one to close to stay within the cap (already removed), or null.</summary>
    public T? Admit(T item, IPAddress address)
    {
        lock (where)
        {
            if (!byAddress.TryGetValue(address, out var list))
            {
                list = new LinkedList<(long, T)>();
                byAddress[address] = list;
            }
            where[item] = (address, list.AddLast((order++, item)));
            if (where.Count <= capacity)
            {
                return null;
            }
            LinkedList<(long Order, T Item)> most = byAddress.Values
                .OrderByDescending(l => l.Count).ThenBy(l => l.First!.Value.Order).First();
            T victim = most.First!.Value.Item;
            Remove(victim);
            return victim;
        }
    }

    /// <summary>The connection logged in or went away: it no longer counts. False when it was not pending.</summary>
    public bool Release(T item)
    {
        lock (where)
        {
            return Remove(item);
        }
    }

    /// <summary>Every pending connection, removed (the server is stopping).</summary>
    public List<T> TakeAll()
    {
        lock (where)
        {
            var all = where.Keys.ToList();
            where.Clear();
            byAddress.Clear();
            return all;
        }
    }

    private bool Remove(T item)
    {
        if (!where.Remove(item, out var at))
        {
            return false;
        }
        LinkedList<(long, T)> list = byAddress[at.Address];
        list.Remove(at.Node);
        if (list.Count == 0)
        {
            byAddress.Remove(at.Address);
        }
        return true;
    }
}
