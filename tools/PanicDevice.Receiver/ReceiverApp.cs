using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver;

/// <summary>The receiver's table of contents: options, store, pipeline, broker, endpoints.</summary>
public static class ReceiverApp
{
    /// <summary>Builds the receiver; <paramref name="time"/> replaces the system clock for the store, supervision and dispatch (tests).</summary>
    public static WebApplication Build(string[] args, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var builder = WebApplication.CreateBuilder(args);
        ReceiverOptions options = builder.AddReceiverOptions(args);
        // decode → authenticate → verify → store → acknowledge (IngestPipeline), then dispatch (ReceiverWiring, one group each).
        ReceiverStore store = builder.AddReceiverStore(options, time);
        builder.AddDispatch(options, store, time);
        builder.AddDeviceBroker(options, store, time);
        builder.AddHttpAndLogging(options);

        var app = builder.Build();
        app.Services.GetRequiredService<ReceiverDatabase>();
        app.MapStartupReport(store);
        app.MapPublicRoutes(store);
        app.MapOperatorApi(options, store, time);
        app.MapSmsGateway(store, time);
        return app;
    }
}
