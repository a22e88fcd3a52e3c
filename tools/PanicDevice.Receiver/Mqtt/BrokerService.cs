namespace PanicDevice.Receiver.Mqtt;

/// <summary>Starts and stops the embedded broker with the web host.</summary>
public sealed class BrokerService(EmbeddedBroker broker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => broker.StartAsync();

    public Task StopAsync(CancellationToken cancellationToken) => broker.DisposeAsync().AsTask();
}
