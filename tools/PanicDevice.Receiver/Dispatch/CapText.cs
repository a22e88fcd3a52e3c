using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dispatch;

/// <summary>
/// The words of a CAP message in the device's language, English or Indonesian (the two a device can be
/// provisioned with), and the RFC 3066 tag CAP 1.2 wants for them in &lt;language&gt;. Templates take the
/// person ({0}) and, where there is one, the responder ({1}).
/// </summary>
internal sealed class CapText
{
    public static readonly CapText English = new()
    {
        Tag = "en-US",
        Events = new() { ["panic"] = "Personal panic alarm", ["hold-up"] = "Hold-up alarm", ["test"] = "Panic button test", ["button-fault"] = "Panic button fault" },
        OtherEvent = "Panic button alarm",
        Device = "Device {0}",
        Headlines = new()
        {
            [CapEvent.Alert] = "{0} pressed the panic button",
            ["hold-up"] = "Hold-up alarm at {0}",
            ["button-fault"] = "{0}: panic button fault",
            [CapEvent.Position] = "{0}: new position",
            [CapEvent.Duress] = "{0} was forced to cancel: still in danger",
            [AlertStates.Acknowledged] = "{0}: alarm acknowledged by the command centre",
            [AlertStates.Assigned] = "{0}: responder {1} on the way",
            [AlertStates.Cancelled] = "{0} cancelled the alarm",
            [AlertStates.FalseAlarm] = "{0}: false alarm, alert withdrawn",
            [AlertStates.Resolved] = "{0}: all clear, alert resolved",
        },
        DuressPrefix = "DURESS: ",
        TestPrefix = "TEST: ",
        Sentences = new()
        {
            [CapEvent.Alert] = "The panic button was pressed.",
            ["hold-up"] = "A silent hold-up alarm was raised: do not call the premises.",
            ["test"] = "A test press: no emergency.",
            ["button-fault"] = "The device reports a fault of its panic button.",
            [CapEvent.Position] = "The device reported a new position.",
            [CapEvent.Duress] = "The person cancelled the alarm with the duress code and may be coerced. The device shows a normal cancel and keeps reporting its position.",
            [AlertStates.Acknowledged] = "The command centre acknowledged the alarm.",
            [AlertStates.Assigned] = "Responder {1} was assigned.",
            [AlertStates.Cancelled] = "The owner cancelled the alarm on the device: no response is needed.",
            [AlertStates.FalseAlarm] = "The command centre marked the alarm a false alarm: no response is needed.",
            [AlertStates.Resolved] = "The command centre resolved the alarm: the situation is over.",
        },
        DuressInstruction = "Treat as a live emergency. Do not contact the person in a way that shows the alarm is still active.",
        DeviceFact = "Device {0}.",
        ResponderFact = "Responder: {0}.",
        AddressFact = "Registered address: {0}.",
        PositionFact = "Position {0}, {1}.",
        NoPositionFact = "Position unknown.",
        Accuracy = "±{0} m ({1})",
        UnknownAccuracy = "accuracy unknown ({0})",
        Sources = new() { ["gnss"] = "GNSS", ["cell"] = "cell towers", ["fixed-address"] = "registered address" },
        AreaWithCircle = "Last reported position of {0}, {1}",
        AreaWithoutCircle = "Reported position {0}, {1}: no area drawn",
        AreaUnknown = "Position unknown",
        Restriction = "Emergency services only: contains a person's location",
        ExerciseNote = "Exercise: panic button test from device {0}",
    };

    public static readonly CapText Indonesian = new()
    {
        Tag = "id-ID",
        Events = new() { ["panic"] = "Alarm darurat pribadi", ["hold-up"] = "Alarm perampokan", ["test"] = "Uji tombol darurat", ["button-fault"] = "Gangguan tombol darurat" },
        OtherEvent = "Alarm tombol darurat",
        Device = "Perangkat {0}",
        Headlines = new()
        {
            [CapEvent.Alert] = "{0} menekan tombol darurat",
            ["hold-up"] = "Alarm perampokan di {0}",
            ["button-fault"] = "{0}: gangguan tombol darurat",
            [CapEvent.Position] = "{0}: posisi baru",
            [CapEvent.Duress] = "{0} dipaksa membatalkan: masih dalam bahaya",
            [AlertStates.Acknowledged] = "{0}: alarm diterima pusat komando",
            [AlertStates.Assigned] = "{0}: petugas {1} menuju lokasi",
            [AlertStates.Cancelled] = "{0} membatalkan alarm",
            [AlertStates.FalseAlarm] = "{0}: alarm palsu, peringatan dicabut",
            [AlertStates.Resolved] = "{0}: aman, peringatan selesai",
        },
        DuressPrefix = "PAKSAAN (DURESS): ",
        TestPrefix = "UJI: ",
        Sentences = new()
        {
            [CapEvent.Alert] = "Tombol darurat ditekan.",
            ["hold-up"] = "Alarm perampokan senyap dipicu: jangan menelepon lokasi.",
            ["test"] = "Uji coba: bukan keadaan darurat.",
            ["button-fault"] = "Perangkat melaporkan gangguan pada tombol daruratnya.",
            [CapEvent.Position] = "Perangkat melaporkan posisi baru.",
            [CapEvent.Duress] = "Pemilik membatalkan alarm dengan kode paksaan dan mungkin sedang dipaksa. Perangkat menampilkan pembatalan biasa dan tetap melaporkan posisinya.",
            [AlertStates.Acknowledged] = "Pusat komando telah menerima alarm.",
            [AlertStates.Assigned] = "Petugas {1} ditugaskan.",
            [AlertStates.Cancelled] = "Pemilik membatalkan alarm di perangkat: tidak perlu tindakan.",
            [AlertStates.FalseAlarm] = "Pusat komando menandai alarm ini sebagai alarm palsu: tidak perlu tindakan.",
            [AlertStates.Resolved] = "Pusat komando menyelesaikan alarm: keadaan sudah aman.",
        },
        DuressInstruction = "Tangani sebagai keadaan darurat. Jangan menghubungi pemilik dengan cara yang memperlihatkan bahwa alarm masih aktif.",
        DeviceFact = "Perangkat {0}.",
        ResponderFact = "Petugas: {0}.",
        AddressFact = "Alamat terdaftar: {0}.",
        PositionFact = "Posisi {0}, {1}.",
        NoPositionFact = "Posisi tidak diketahui.",
        Accuracy = "±{0} m ({1})",
        UnknownAccuracy = "akurasi tidak diketahui ({0})",
        Sources = new() { ["gnss"] = "GNSS", ["cell"] = "menara seluler", ["fixed-address"] = "alamat terdaftar" },
        AreaWithCircle = "Posisi terakhir {0}, {1}",
        AreaWithoutCircle = "Posisi dilaporkan {0}, {1}: tanpa area",
        AreaUnknown = "Posisi tidak diketahui",
        Restriction = "Hanya untuk layanan darurat: berisi lokasi seseorang",
        ExerciseNote = "Latihan: uji tombol darurat dari perangkat {0}",
    };

    /// <summary>The text for a device provisioned with <paramref name="language"/> ("id" or "en"; anything else reads as English).</summary>
    public static CapText For(string language) => language == DeviceLanguage.Indonesian ? Indonesian : English;

    /// <summary>RFC 3066 language tag for &lt;language&gt;.</summary>
    public required string Tag { get; init; }

    /// <summary>&lt;event&gt; by alert kind (panic, hold-up, test, button-fault).</summary>
    public required Dictionary<string, string> Events { get; init; }
    public required string OtherEvent { get; init; }

    /// <summary>Who, when the device has no owner name: {0} is the device id.</summary>
    public required string Device { get; init; }

    /// <summary>Headline by event (or, for the alert itself, by a kind that reads differently).</summary>
    public required Dictionary<string, string> Headlines { get; init; }
    public required string DuressPrefix { get; init; }
    public required string TestPrefix { get; init; }

    /// <summary>First sentence of the description by event (or, for the alert itself, by kind).</summary>
    public required Dictionary<string, string> Sentences { get; init; }
    public required string DuressInstruction { get; init; }
    public required string DeviceFact { get; init; }
    public required string ResponderFact { get; init; }
    public required string AddressFact { get; init; }
    public required string PositionFact { get; init; }
    public required string NoPositionFact { get; init; }
    public required string Accuracy { get; init; }
    public required string UnknownAccuracy { get; init; }
    public required Dictionary<string, string> Sources { get; init; }
    public required string AreaWithCircle { get; init; }
    public required string AreaWithoutCircle { get; init; }
    public required string AreaUnknown { get; init; }
    public required string Restriction { get; init; }
    public required string ExerciseNote { get; init; }

    public string EventName(string kind) => Events.TryGetValue(kind, out string? name) ? name : OtherEvent;

    public string Source(string source) => Sources.TryGetValue(source, out string? name) ? name : source;

    /// <summary>The template for <paramref name="evt"/>; for the alert itself, the one for <paramref name="kind"/> if that reads differently.</summary>
    public static string Pick(Dictionary<string, string> templates, string evt, string kind) =>
        evt == CapEvent.Alert && templates.TryGetValue(kind, out string? byKind) ? byKind : templates[evt];
}
