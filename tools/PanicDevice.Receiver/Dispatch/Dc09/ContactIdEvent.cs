using System.Globalization;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Dispatch.Dc09;

/// <summary>
/// One Ademco Contact ID event as a DC-09 "ADM-CID" message carries it: <c>#acct|QEEE GG CCC</c>, the qualifier
/// (1 a new event, 3 a restore), the event code, the partition and the zone (here: the device's zone at its site).
/// </summary>
internal readonly record struct ContactIdEvent(char Qualifier, int Code, int Partition, int Zone)
{
    public const char New = '1';
    public const char Restore = '3';

    /// <summary>The data between the brackets of the DC-09 message.</summary>
    public string Data(string account) => string.Create(CultureInfo.InvariantCulture, $"#{account}|{Qualifier}{Code:D3} {Partition:D2} {Zone:D3}");
}

/// <summary>
/// Which Contact ID event a PanicDevice event is (docs/arc.md has the table). One place, so the table, the tests and
/// what an ARC receives cannot drift apart. A follow-up position is no event of its own; a refused frame is none.
/// </summary>
internal static class ContactIdMapping
{
    public const int Panic = 120;
    public const int Duress = 121;
    public const int SilentHoldUp = 122;
    public const int Tamper = 137;
    public const int AcLoss = 301;
    public const int LowBattery = 302;
    public const int SensorTrouble = 380;
    public const int LossOfSupervision = 381;
    public const int Cancel = 406;
    public const int ManualTest = 601;
    public const int PeriodicTest = 602;

    /// <summary>The event a stored frame is, or null (a follow-up).</summary>
    public static ContactIdEvent? ForFrame(Frame f, int partition, int zone) => ForFrame(f.Kind, f.Code, partition, zone);

    /// <summary>The event a stored frame of this kind and code is, or null (a follow-up).</summary>
    public static ContactIdEvent? ForFrame(MessageKind kind, byte alertCode, int partition, int zone)
    {
        Check(partition, zone);
        int? code = (kind, (AlertCode)alertCode) switch
        {
            (MessageKind.Alert, AlertCode.Panic) => Panic,
            (MessageKind.Alert, AlertCode.HoldUp) => SilentHoldUp,
            (MessageKind.Alert, AlertCode.Test) => ManualTest,
            (MessageKind.Alert, AlertCode.ButtonFault) => SensorTrouble,
            (MessageKind.Alert, _) => Panic, // an alert of a code this table does not know yet is still an alarm
            // A duress "cancel" looks like a cancel to whoever forced it; to the ARC it is the duress alarm.
            (MessageKind.Cancel, AlertCode.DuressCancel) => Duress,
            (MessageKind.Cancel, _) => Cancel,
            (MessageKind.Heartbeat, _) => PeriodicTest,
            _ => null,
        };
        return code == null ? null : new ContactIdEvent(ContactIdEvent.New, code.Value, partition, zone);
    }

    /// <summary>
    /// What changed between a device's last two frames' flags: mains lost or back (wall units, which run on mains),
    /// battery low or recovered, enclosure opened or closed. In the order mains, battery, tamper.
    /// </summary>
    public static IReadOnlyList<ContactIdEvent> ForFlagChange(byte before, byte after, DeviceKind kind, int partition, int zone)
    {
        Check(partition, zone);
        var events = new List<ContactIdEvent>();
        void Edge(byte flag, int code, bool raisedWhenSet)
        {
            bool was = (before & flag) != 0, now = (after & flag) != 0;
            if (was != now)
            {
                events.Add(new ContactIdEvent(now == raisedWhenSet ? ContactIdEvent.New : ContactIdEvent.Restore, code, partition, zone));
            }
        }
        if (kind == DeviceKind.Wall)
        {
            Edge(FrameFlags.ExternalPower, AcLoss, raisedWhenSet: false); // the flag says "on mains": its loss is the alarm
        }
        Edge(FrameFlags.LowBattery, LowBattery, raisedWhenSet: true);
        Edge(FrameFlags.Tamper, Tamper, raisedWhenSet: true);
        return events;
    }

    /// <summary>A supervision event raised or cleared: a device gone silent, or its battery low by its last report.</summary>
    public static ContactIdEvent? ForSupervision(string supervisionEvent, bool raised, int partition, int zone)
    {
        Check(partition, zone);
        int? code = supervisionEvent switch
        {
            "device-silent" => LossOfSupervision,
            "low-battery" => LowBattery,
            _ => null,
        };
        return code == null ? null : new ContactIdEvent(raised ? ContactIdEvent.New : ContactIdEvent.Restore, code.Value, partition, zone);
    }

    private static void Check(int partition, int zone)
    {
        if (partition is < 0 or > 99 || zone is < 0 or > 999)
        {
            throw new ArgumentOutOfRangeException(nameof(zone), "Contact ID has partitions 00–99 and zones 000–999");
        }
    }
}
