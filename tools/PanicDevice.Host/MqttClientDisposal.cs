using MQTTnet;

namespace PanicDevice.Host;

/// <summary>Tearing down an MQTTnet client whose connection may be going down on its own at the same moment.</summary>
public static class MqttClientDisposal
{
    private static int racesTaken;

    /// <summary>How many disposals in this process threw the clean-up race (benches print it).</summary>
    public static int RacesTaken => Volatile.Read(ref racesTaken);

    /// <summary>
    /// Disposes the client, taking the <see cref="ObjectDisposedException"/> MQTTnet 5.2's <c>MqttClient.Dispose</c>
    /// can throw when it races the client's own clean-up after a lost connection: both run <c>Cleanup</c>, and one
    /// cancels the "client alive" token source the other has just disposed. The client is torn down either way.
    /// Left uncaught, it ended a bench device's send loop for good, and that device's alerts were never sent again
    /// (the crash bench's "stalls", found in a dump: docs/benchmarks.md). Any other exception still propagates.
    /// </summary>
    public static void DisposeDespiteCleanupRace(this IMqttClient client)
    {
        try
        {
            client.Dispose();
        }
        catch (ObjectDisposedException)
        {
            Interlocked.Increment(ref racesTaken);
        }
    }
}
