using Microsoft.Extensions.Options;
using PanicDevice.Receiver.Api;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver;

/// <summary>What the store stage made at start, and what start-up has to report once the host runs.</summary>
internal sealed record ReceiverStore(ReceiverDatabase Db, DeviceRegistry Registry, FrameStore Frames, IngestPipeline Pipeline,
    AlertBook Alerts, CounterEventBook CounterEvents, Dashboard.AlertFeed Feed, string KeyFile, int SealedNow, IReadOnlyList<string> Tightened);

/// <summary>The receiver's wiring, one group per stage; <see cref="ReceiverApp"/> lists them in order.</summary>
internal static class ReceiverWiring
{
    /// <summary>
    /// Command line and configuration bound to <see cref="ReceiverOptions"/> and validated (every problem at once)
    /// through the options pattern, before anything starts; then the data folder and tokens.
    /// </summary>
    public static ReceiverOptions AddReceiverOptions(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddCommandLine(args, ReceiverOptions.Switches);
        // Made now, not on first use and not by ValidateOnStart: these settings choose the store, the broker and the
        // routes while the host is being built, so a bad one must stop start-up before a store is opened.
        var factory = new OptionsFactory<ReceiverOptions>(
            new[] { new NamedConfigureFromConfigurationOptions<ReceiverOptions>(Options.DefaultName, builder.Configuration.GetSection("Receiver")) },
            Array.Empty<IPostConfigureOptions<ReceiverOptions>>(),
            new IValidateOptions<ReceiverOptions>[] { new ReceiverOptionsValidation() });
        ReceiverOptions options = factory.Create(Options.DefaultName); // OptionsValidationException: Program prints it, exit 2
        // Owner-only from the first moment (an older or copied folder is tightened below, with a warning).
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(options.Data);
        else Directory.CreateDirectory(options.Data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        options.OperatorToken ??= BearerToken.LoadOrCreate(Path.Combine(options.Data, "operator-token"));
        options.GatewayToken ??= BearerToken.LoadOrCreate(Path.Combine(options.Data, "gateway-token"));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(Options.Create(options));
        return options;
    }

    /// <summary>The store (SQLite or PostgreSQL), device keys sealed under the key file, and the ingest pipeline over them.</summary>
    public static ReceiverStore AddReceiverStore(this WebApplicationBuilder builder, ReceiverOptions options, TimeProvider time)
    {
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
        var tightened = OwnerOnly.Restrict(options.Data).ToList();
        if (OwnerOnly.RestrictFile(keyFile))
        {
            tightened.Add(keyFile);
        }
        var frames = new FrameStore(db, TimeSpan.FromSeconds(options.IncidentWindowSeconds));
        var pipeline = new IngestPipeline(registry, frames, time, options.DeviceRateLimit);
        var alerts = new AlertBook(db, time);
        var feed = new Dashboard.AlertFeed();
        // The feed and the alert log read the store: after the ack, in store order, not before it (AfterStoreQueue).
        var afterStore = new AfterStoreQueue();
        var counterEvents = new CounterEventBook(db);
        if (db.Dialect.NotifiesChanges)
        {
            // Every receiver of a shared store hears of every change from the store itself, its own included.
            builder.Services.AddSingleton<Dashboard.SharedStoreFeed>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Dashboard.SharedStoreFeed>());
        }
        else
        {
            pipeline.Stored += afterStore.Later(Dashboard.DashboardEndpoints.PublishStored(db, alerts, feed));
            // Frames refused for their counter (restarted counter or cloned key) reach operators with their content.
            pipeline.CounterRefused += afterStore.Later(Dashboard.DashboardEndpoints.PublishCounterRefused(counterEvents, feed));
        }

        // One clock for everything that waits or stamps (tests pass their own).
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(_ => db); // made by the container, so disposed with it (PostgreSQL's connection pool)
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(frames);
        builder.Services.AddSingleton(pipeline);
        builder.Services.AddSingleton(alerts);
        builder.Services.AddSingleton(feed);
        builder.Services.AddSingleton(_ => afterStore); // made by the container, so finished and disposed with it
        builder.Services.AddSingleton(counterEvents);
        builder.Services.AddSingleton(new Responders.ResponderBook(db, time));
        builder.Services.AddSingleton(new Accounts.AccountBook(db, time));
        return new ReceiverStore(db, registry, frames, pipeline, alerts, counterEvents, feed, keyFile, sealedNow, tightened);
    }

    /// <summary>
    /// Dispatch after the store: webhooks and alarm receiving centres (a durable queue walk per target, routed by the
    /// rules) and supervision (silent devices, low batteries). The configuration was checked before (ReceiverOptionsValidation).
    /// </summary>
    public static void AddDispatch(this WebApplicationBuilder builder, ReceiverOptions options, ReceiverStore store, TimeProvider time)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var channels = new List<Dispatch.IDispatchChannel>();
        channels.AddRange(options.Webhooks.Select((t, i) => new Dispatch.WebhookChannel(t, i, http)));
        channels.AddRange(options.Arcs.Select(a => Dispatch.Dc09.ArcChannel.From(a, File.ReadAllText, time)));
        var problems = new List<string>();
        Dispatch.Routing.AlertRouter router = Dispatch.Routing.AlertRouter.Load(options.Routes, options.DefaultRoute, options.Groups, options.Areas,
            Dispatch.RouteNames.All(options), File.ReadAllText, problems) ?? throw new InvalidOperationException(string.Join("; ", problems));
        var dispatcher = new Dispatch.QueueDispatcher(store.Db, channels, router, time, holder: Environment.MachineName + ":" + Path.GetFullPath(options.Data));
        builder.Services.AddSingleton(dispatcher);
        // A dispatch system down for a minute is the operators' to know: alerts are stored but not reaching it.
        dispatcher.HealthChanged += store.Feed.Publish;
        if (!store.Db.Dialect.NotifiesChanges) // PostgreSQL tells every receiver's feed itself (a trigger on timeline)
        {
            dispatcher.TimelinesChanged += ids =>
            {
                if (store.Feed.SubscriberCount == 0) return;
                foreach (Storage.AlertView alert in store.Alerts.FindMany(ids)) store.Feed.Publish(alert);
            };
        }
        if (channels.Count > 0)
        {
            builder.Services.AddHostedService<Dispatch.DispatchService>();
        }
        var escalator = new Supervision.AlertEscalator(store.Db, time, TimeSpan.FromSeconds(options.EscalateAfterSeconds));
        builder.Services.AddSingleton(escalator);
        if (options.EscalateAfterSeconds > 0)
        {
            builder.Services.AddHostedService<Supervision.AlertEscalationService>();
        }
        if (!store.Db.Dialect.NotifiesChanges) // PostgreSQL's trigger on alerts tells every receiver's feed
        {
            escalator.Escalated += ids =>
            {
                if (store.Feed.SubscriberCount == 0) return;
                foreach (Storage.AlertView alert in store.Alerts.FindMany(ids)) store.Feed.Publish(alert);
            };
        }
        builder.Services.AddSingleton(new Supervision.SupervisionMonitor(store.Db, time));
        builder.Services.AddHostedService<Supervision.SupervisionService>();
    }

    /// <summary>Where devices connect: an external broker (MQTT 5 shared subscription), or the embedded one.</summary>
    public static void AddDeviceBroker(this WebApplicationBuilder builder, ReceiverOptions options, ReceiverStore store, TimeProvider time)
    {
        if (options.Broker != null)
        {
            // External broker mode: the embedded broker is not started, whatever --mqtt-port says.
            builder.Services.AddSingleton(sp => new ExternalBrokerClient(BrokerEndpoint.Parse(options.Broker)!, options.BrokerUser,
                options.BrokerPassword, store.Pipeline, sp.GetRequiredService<ILogger<ExternalBrokerClient>>(),
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
            builder.Services.AddSingleton(sp => new EmbeddedBroker(options.MqttPort, store.Registry, store.Pipeline,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("PanicDevice.Receiver.Broker"), EmbeddedBrokerTls.From(options), address, limits, time));
            builder.Services.AddSingleton<IDeviceDownlink>(sp => sp.GetRequiredService<EmbeddedBroker>());
            builder.Services.AddHostedService(sp => new BrokerService(sp.GetRequiredService<EmbeddedBroker>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("PanicDevice.Receiver.Broker")));
        }
    }

    /// <summary>HTTP limits, OpenAPI, and a log that says what matters (devices, alerts) rather than every request.</summary>
    public static void AddHttpAndLogging(this WebApplicationBuilder builder, ReceiverOptions options)
    {
        // Every route reads at most this much body (413 beyond); the token is checked before any is read (TokenAuthentication).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestLimits.MaxJsonBodyBytes);
        builder.Services.AddTokenAuthentication(options);
        builder.Services.AddOpenApi();
        // Request lines drown out what matters (devices coming and going, alerts): off unless --request-log true.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", options.RequestLog ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", options.RequestLog ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Http.Result", options.RequestLog ? LogLevel.Information : LogLevel.Warning);
        // A start-up failure (a port in use, a missing key file) reaches Program as an exception and is printed there in
        // one line with the fix; the host's own copy is a 30-line stack trace of the same thing.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    /// <summary>Once the host runs: the alert log, and what start-up found (store, keys sealed now, files that were open to others).</summary>
    public static void MapStartupReport(this WebApplication app, ReceiverStore store)
    {
        store.Pipeline.StoredVia += app.Services.GetRequiredService<AfterStoreQueue>().Later(
            Logging.AlertLog.For(store.Db, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PanicDevice.Receiver.Alerts")));
        var dispatchLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PanicDevice.Receiver.Dispatch");
        app.Services.GetRequiredService<Dispatch.QueueDispatcher>().HealthChanged += h =>
        {
            if (h.Failing) dispatchLog.LogError("Dispatch target {Target} ({Host}) has failed every attempt since {Since:u}: {Error}; alerts are stored and wait for it", h.Target, h.Host, h.FailingSince, h.LastError);
            else dispatchLog.LogWarning("Dispatch target {Target} ({Host}) takes events again", h.Target, h.Host);
        };
        // At start, so every logging provider added after Build sees it too; the description has no password.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            app.Logger.LogInformation("Store: {Store}", store.Db.Dialect.Description);
            if (store.SealedNow > 0)
            {
                app.Logger.LogWarning("Encrypted {Count} device key(s) stored in plaintext by an older version; back up the key file {KeyFile} with the store (docs/security.md)", store.SealedNow, store.KeyFile);
            }
            foreach (string path in store.Tightened)
            {
                app.Logger.LogWarning("{Path} was readable by other users; it is now owner-only", path);
            }
        });
    }

    /// <summary>Tokens checked from here on; public routes (health, metrics) and the OpenAPI description.</summary>
    public static void MapPublicRoutes(this WebApplication app, ReceiverStore store)
    {
        app.UseTokenAuthentication();
        // /openapi/v1.json: the API's description for integrators, who hold the operator token; not public.
        app.MapOpenApi().RequireAuthorization(TokenAuthentication.Operator);
        // Public, no token: liveness and counters (no secrets, no device data); see docs/security.md.
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
        MetricsEndpoint.Map(app, store.Pipeline, store.Alerts, store.CounterEvents, app.Services.GetRequiredService<Dispatch.QueueDispatcher>(),
            app.Services.GetRequiredService<Supervision.SupervisionMonitor>(), app.Services.GetService<ExternalBrokerClient>(), app.Services.GetService<EmbeddedBroker>());
    }

    /// <summary>The operator API (token: operator) and the dashboard.</summary>
    public static void MapOperatorApi(this WebApplication app, ReceiverOptions options, ReceiverStore store, TimeProvider time)
    {
        IDeviceDownlink? downlink = app.Services.GetService<IDeviceDownlink>();
        var webhooks = app.Services.GetRequiredService<Dispatch.QueueDispatcher>();
        var supervision = app.Services.GetRequiredService<Supervision.SupervisionMonitor>();
        var responders = app.Services.GetRequiredService<Responders.ResponderBook>();
        var operatorApi = app.MapGroup("/api").RequireAuthorization(TokenAuthentication.Operator);
        var deviceEvents = new DeviceEventBook(store.Db);
        DeviceEndpoints.Map(operatorApi.MapGroup("/devices"), store.Registry, deviceEvents, time, store.Feed.Publish);
        DeviceEndpoints.MapEvents(operatorApi.MapGroup("/device-events"), deviceEvents);
        AlertEndpoints.Map(operatorApi.MapGroup("/alerts"), store.Alerts, new CapMessageLog(store.Db), new Dispatch.CapFormatter(options.CapSender, options.CapSenderName), store.Registry, downlink);
        operatorApi.MapGet("/webhooks", () => webhooks.Status());
        operatorApi.MapGet("/dispatch", () => webhooks.AllStatus());
        var quality = new QualityReport(store.Db);
        IResult Quality(string? from, string? to, int? shiftHours, string? tz, bool csv)
        {
            DateTime now = time.GetUtcNow().UtcDateTime;
            if (!QualityPeriod.TryParse(from, to, shiftHours, tz, now, out QualityPeriod? period, out string? problem))
            {
                return Results.BadRequest(new { error = problem });
            }
            QualityView view = quality.Build(period!.FromUtc, period.ToUtc, period.ShiftHours, period.Offset);
            return csv
                ? Results.Text(QualityReport.Csv(view), "text/csv; charset=utf-8")
                : Results.Ok(view);
        }
        operatorApi.MapGet("/quality", (string? from, string? to, int? shiftHours, string? tz) => Quality(from, to, shiftHours, tz, csv: false))
            .WithSummary("Per operator and per shift: time to acknowledge, assign and resolve, open and escalated counts, false-alarm rate")
            .RequireAuthorization(TokenAuthentication.Supervisor);
        operatorApi.MapGet("/quality.csv", (HttpContext http, string? from, string? to, int? shiftHours, string? tz) =>
        {
            http.Response.Headers.ContentDisposition = "attachment; filename=\"panicdevice-quality.csv\"";
            return Quality(from, to, shiftHours, tz, csv: true);
        }).WithSummary("The same report as CSV").RequireAuthorization(TokenAuthentication.Supervisor);
        Accounts.AccountEndpoints.Map(app, operatorApi, app.Services.GetRequiredService<Accounts.AccountBook>(), time);
        var forwarder = new Dispatch.AlertForwarder(store.Db, webhooks, store.Alerts, time);
        operatorApi.MapPost("/alerts/{id:long}/forward", (long id, AlertForward? body, System.Security.Claims.ClaimsPrincipal user) =>
        {
            string target = body?.Target ?? "";
            var (outcome, alert) = forwarder.Forward(id, target, Accounts.Roles.Actor(user, body?.Operator));
            return outcome switch
            {
                Dispatch.ForwardOutcome.Forwarded => Results.Ok(alert),
                Dispatch.ForwardOutcome.NoAlert => Results.NotFound(new { error = "no alert " + id }),
                Dispatch.ForwardOutcome.UnknownTarget => Results.BadRequest(new { error = "no target \"" + target + "\"; targets are " + string.Join(", ", webhooks.Channels.Select(c => c.RouteName)) }),
                Dispatch.ForwardOutcome.NotTaken => Results.Conflict(new { error = target + " holds no account for this alert's device" }),
                _ => Results.Conflict(new { error = "already forwarded to " + target }),
            };
        }).WithSummary("Sends the alert to one more target (an agency, an ARC), through the durable dispatch queue");
        operatorApi.MapGet("/supervision", () => supervision.Open());
        CounterEventEndpoints.Map(operatorApi.MapGroup("/counter-events"), store.CounterEvents);
        Responders.ResponderEndpoints.Map(operatorApi, responders, store.Alerts);
        Dashboard.DashboardEndpoints.Map(app, operatorApi, store.Feed, options, publishActions: !store.Db.Dialect.NotifiesChanges);
        var guardianLinks = new Guardians.GuardianLinkBook(store.Db, store.Registry, store.Alerts, TimeSpan.FromHours(options.GuardianLinkHours));
        Guardians.GuardianEndpoints.Map(app, operatorApi, guardianLinks, new Guardians.GuardianPageLimiter(time), store.Alerts, store.Registry, options.PublicUrl, time);
    }

    /// <summary>The command centre's SMS gateway posts data SMS here (token: gateway).</summary>
    public static void MapSmsGateway(this WebApplication app, ReceiverStore store, TimeProvider time)
    {
        IDeviceDownlink? downlink = app.Services.GetService<IDeviceDownlink>();
        var smsLog = new Logging.RejectionLog(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<InboundSms>(), time);
        app.Lifetime.ApplicationStopped.Register(smsLog.Dispose);
        app.MapPost("/api/sms/inbound", (InboundSms sms) => SmsGatewayEndpoint.Handle(sms, store.Pipeline, downlink, smsLog))
            .RequireAuthorization(TokenAuthentication.Gateway)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(SmsGatewayEndpoint.MaxBodyBytes));
    }
}
