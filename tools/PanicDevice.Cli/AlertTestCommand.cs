using System.Text.Json;

namespace PanicDevice.Cli;

/// <summary>`panicctl alert test`: the device (from its device.json) sends a test alert over the emulated modem; success is its signed ack, and, with a token, the alert seen at the receiver.</summary>
public static class AlertTestCommand
{
    public static async Task<int> RunAsync(string configPath, string? expectedId, string receiverUrl, string? token, TextWriter output, CancellationToken ct)
    {
        var config = SimulateCommand.LoadConfig(configPath);
        if (expectedId != null && expectedId != config.DeviceId)
            throw new CliException(configPath + " is device " + config.DeviceId + ", not " + expectedId);
        int code = await new SimulateCommand(new SimulateOptions(configPath, ScriptText: "test\nexpect Acknowledged 90"), output).RunAsync(ct);
        if (code != 0)
        {
            output.WriteLine("test alert NOT acknowledged");
            return code;
        }
        if (token != null)
        {
            var api = new ReceiverApi(receiverUrl, token);
            var alert = (await api.GetAsync("api/alerts?limit=50", ct)).EnumerateArray()
                .FirstOrDefault(a => a.GetProperty("deviceId").GetString() == config.DeviceId && a.GetProperty("kind").GetString() == "test");
            if (alert.ValueKind != JsonValueKind.Object)
            {
                output.WriteLine("acknowledged, but no test alert from " + config.DeviceId + " is listed at " + receiverUrl);
                return 1;
            }
            output.WriteLine("stored at the receiver: " + AlertsTailCommand.Describe(alert, true).Trim());
        }
        output.WriteLine("test alert from " + config.DeviceId + " acknowledged end to end");
        return 0;
    }
}
