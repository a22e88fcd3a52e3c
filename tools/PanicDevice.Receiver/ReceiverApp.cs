using Microsoft.Extensions.Options;
using PanicDevice.Receiver.Api;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
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
        builder.Configuration.AddCommandLine(args, ReceiverOptions.Switches);
        var options = builder.Configuration.GetSection("Receiver").Get<ReceiverOptions>() ?? new ReceiverOptions();
        string? problem = options.Validate();
        if (problem != null)
        {
            throw new OptionsValidationException("Receiver", typeof(ReceiverOptions), new[] { problem });
        }
        // Owner-only from the first moment (an older or copied folder is tightened below, with a warning).
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(options.Data);
        else Directory.CreateDirectory(options.Data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        options.OperatorToken ??= BearerToken.LoadOrCreate(Path.Combine(options.Data, "operator-token"));
        options.GatewayToken ??= BearerToken.LoadOrCreate(Path.Combine(options.Data, "gateway-token"));

        StoreTarget storeTarget = StoreLocation.Parse(options.Store, options.Data).Target!;
        ReceiverDatabase db;
        try
        {
            db = ReceiverDatabase.Connect(storeTarget);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            // Only the safe description and the driver's own sentence (neither carries the password).
            throw new StoreUnavailableException(storeTarget.Description, e);
        }
        // Device keys are encrypted at rest with a key from a file of its own (docs/security.md, "Keys at rest").
        string keyFile = options.KeyFile ?? DeviceKeyVault.DefaultPath(options.Data);
        DeviceRegistry registry;
        int sealedNow;
        try
        {
            var vault = DeviceKeyVault.LoadOrCreate(keyFile, mayCreate: !new DeviceRegistry(db).IsBoundToAKey());
            registry = new DeviceRegistry(db, vault);
            registry.CheckVault();
            sealedNow = registry.SealPlaintextKeys();
        }
        catch
        {
            db.Dispose();
            throw;
        }
        IReadOnlyList<string> tightened = OwnerOnly.Restrict(options.Data);
        bool keyFileTightened = OwnerOnly.RestrictFile(keyFile);
        var store = new FrameStore(db);
        var pipeline = new IngestPipeline(registry, store, time, options.DeviceRateLimit);
        var alerts = new AlertBook(db, time);
        var responders = new Responders.ResponderBook(db, time);
        // One clock for everything that waits or stamps (tests pass their own).
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(responders);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => db); // made by the container, so disposed with it (PostgreSQL's connection pool)
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(pipeline);
        builder.Services.AddSingleton(alerts);
        var feed = new Dashboard.AlertFeed();
        builder.Services.AddSingleton(feed);
        pipeline.Stored += Dashboard.DashboardEndpoints.PublishStored(db, alerts, feed);
        // Frames refused for their counter (restarted counter or cloned key) reach operators with their content.
        var counterEvents = new CounterEventBook(db);
        builder.Services.AddSingleton(counterEvents);
        pipeline.CounterRefused += Dashboard.DashboardEndpoints.PublishCounterRefused(counterEvents, feed);
        var webhooks = new Dispatch.WebhookDispatcher(db, options.Webhooks, new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, time,
            holder: Environment.MachineName + ":" + Path.GetFullPath(options.Data));
        builder.Services.AddSingleton(webhooks);
        if (options.Webhooks.Count > 0)
        {
            builder.Services.AddHostedService<Dispatch.WebhookService>();
        }
        var supervision = new Supervision.SupervisionMonitor(db, time);
        builder.Services.AddSingleton(supervision);
        builder.Services.AddHostedService<Supervision.SupervisionService>();
        if (options.Broker != null)
        {
            // External broker mode: the embedded broker is not started, whatever --mqtt-port says.
            builder.Services.AddSingleton(sp => new ExternalBrokerClient(BrokerEndpoint.Parse(options.Broker)!, options.BrokerUser,
                options.BrokerPassword, pipeline, sp.GetRequiredService<ILogger<ExternalBrokerClient>>(),
                keepAlive: TimeSpan.FromSeconds(options.BrokerKeepAliveSeconds)));
            builder.Services.AddSingleton<IDeviceDownlink>(sp => sp.GetRequiredService<ExternalBrokerClient>());
            builder.Services.AddHostedService<ExternalBrokerService>();
        }
        else if (options.MqttPort > 0 || options.MqttCert != null)
        {
            // Where devices reach it: --mqtt-address, or what --urls implies (loopback API, loopback broker).
            BrokerAddress address = options.MqttAddress != null ? BrokerAddress.Parse(options.MqttAddress)! : BrokerAddress.DefaultFor(builder.Configuration);
            var limits = new BrokerLimits
            {
                LoginTimeout = TimeSpan.FromSeconds(options.MqttLoginTimeoutSeconds),
                MaxPendingLogins = options.MqttMaxPendingLogins,
            };
            // The broker logs through the host's logging (configured levels and providers, one place to audit).
            builder.Services.AddSingleton(sp => new EmbeddedBroker(options.MqttPort, registry, pipeline,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("PanicDevice.Receiver.Broker"), EmbeddedBrokerTls.From(options), address, limits, time));
            builder.Services.AddSingleton<IDeviceDownlink>(sp => sp.GetRequiredService<EmbeddedBroker>());
            builder.Services.AddHostedService(sp => new BrokerService(sp.GetRequiredService<EmbeddedBroker>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("PanicDevice.Receiver.Broker")));
        }
        // Every route reads at most this much body (413 beyond); the token is checked before any is read (TokenGate).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestLimits.MaxJsonBodyBytes);

        builder.Services.AddOpenApi();

        // Request lines drown out what matters (devices coming and going, alerts): off unless --request-log true.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", options.RequestLog ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", options.RequestLog ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Http.Result", options.RequestLog ? LogLevel.Information : LogLevel.Warning);
        // A start-up failure (a port in use, a missing key file) reaches Program as an exception and is printed there in
        // one line with the fix; the host's own copy is a 30-line stack trace of the same thing.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        var app = builder.Build();
        app.Services.GetRequiredService<ReceiverDatabase>();
        pipeline.StoredVia += Logging.AlertLog.For(db, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PanicDevice.Receiver.Alerts"));
        // At start, so every logging provider added after Build sees it too; the description has no password.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            app.Logger.LogInformation("Store: {Store}", db.Dialect.Description);
            if (sealedNow > 0)
            {
                app.Logger.LogWarning("Encrypted {Count} device key(s) stored in plaintext by an older version; back up the key file {KeyFile} with the store (docs/security.md)", sealedNow, keyFile);
            }
            foreach (string path in tightened.Concat(keyFileTightened ? new[] { keyFile } : Array.Empty<string>()))
            {
                app.Logger.LogWarning("{Path} was readable by other users; it is now owner-only", path);
            }
        });
        app.UseTokenGate(options);
        // /openapi/v1.json: the API's description for integrators, who hold the operator token; not public.
        app.MapOpenApi().RequireToken(TokenRole.Operator);
        IDeviceDownlink? downlink = app.Services.GetService<IDeviceDownlink>();
        // Public, no token: liveness and counters (no secrets, no device data); see docs/security.md.
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        ExternalBrokerClient? external = app.Services.GetService<ExternalBrokerClient>();
        EmbeddedBroker? embedded = app.Services.GetService<EmbeddedBroker>();
        MetricsEndpoint.Map(app, pipeline, alerts, counterEvents, webhooks, supervision, external, embedded);

        var operatorApi = app.MapGroup("/api").RequireToken(TokenRole.Operator);
        var deviceEvents = new DeviceEventBook(db);
        DeviceEndpoints.Map(operatorApi.MapGroup("/devices"), registry, deviceEvents, time, feed.Publish);
        DeviceEndpoints.MapEvents(operatorApi.MapGroup("/device-events"), deviceEvents);
        AlertEndpoints.Map(operatorApi.MapGroup("/alerts"), alerts, new CapMessageLog(db), new Dispatch.CapFormatter(options.CapSender, options.CapSenderName), registry, downlink);
        operatorApi.MapGet("/webhooks", () => webhooks.Status());
        operatorApi.MapGet("/supervision", () => supervision.Open());
        CounterEventEndpoints.Map(operatorApi.MapGroup("/counter-events"), counterEvents);
        Responders.ResponderEndpoints.Map(operatorApi, responders, alerts);
        Dashboard.DashboardEndpoints.Map(app, operatorApi, feed, options);

        var smsLog = new Logging.RejectionLog(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<InboundSms>(), time);
        app.Lifetime.ApplicationStopped.Register(smsLog.Dispose);
        app.MapPost("/api/sms/inbound", (InboundSms sms) => SmsGatewayEndpoint.Handle(sms, pipeline, downlink, smsLog))
            .RequireToken(TokenRole.Gateway)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(SmsGatewayEndpoint.MaxBodyBytes));
        return app;
    }
}
