namespace PanicDevice.Receiver;

/// <summary>The background services' pace: a PeriodicTimer on the receiver's clock, where stopping ends the loop quietly.</summary>
internal static class Rounds
{
    /// <summary>Waits for the next tick; false when the receiver is stopping.</summary>
    public static async Task<bool> Next(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
