namespace PanicDevice.Receiver.Mqtt;

/// <summary>Starts and stops the embedded broker with the web host.</summary>
internal sealed class BrokerService(EmbeddedBroker broker, ILogger logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await broker.StartAsync();
        // Where devices can reach it is the first thing to check when none can: say it at start.
        string where = string.Join(", ", broker.LocalEndPoints);
        if (broker.Address.Addresses.All(System.Net.IPAddress.IsLoopback))
        {
            logger.LogInformation("MQTT broker listening on {EndPoints}, loopback only: devices on other machines cannot connect (--mqtt-address * for every interface)", where);
        }
        else
        {
            logger.LogInformation("MQTT broker listening on {EndPoints}", where);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => broker.DisposeAsync().AsTask();
}
