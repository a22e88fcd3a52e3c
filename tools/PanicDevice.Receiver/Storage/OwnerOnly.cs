namespace PanicDevice.Receiver.Storage;

/// <summary>
/// The data folder holds every device's (encrypted) key, owners' names and phone numbers, the tokens and the storage key:
/// only the receiver's own user may read it. Folders become 0700 and files 0600 at every start, also ones an older
/// version or a careless copy left open; nothing on Windows (its ACLs are inherited from the parent folder).
/// </summary>
internal static class OwnerOnly
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Tightens <paramref name="folder"/> and every file directly in it; returns the paths that were open to others.</summary>
    public static IReadOnlyList<string> Restrict(string folder)
    {
        var tightened = new List<string>();
        if (OperatingSystem.IsWindows() || !Directory.Exists(folder))
        {
            return tightened;
        }
        if (Set(folder, Folder))
        {
            tightened.Add(folder);
        }
        foreach (string path in Directory.EnumerateFiles(folder))
        {
            if (Set(path, File))
            {
                tightened.Add(path);
            }
        }
        return tightened;
    }

    /// <summary>Tightens one file (a key file kept outside the data folder); true when it was open to others.</summary>
    public static bool RestrictFile(string path) => !OperatingSystem.IsWindows() && System.IO.File.Exists(path) && Set(path, File);

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool Set(string path, UnixFileMode wanted)
    {
        UnixFileMode now = System.IO.File.GetUnixFileMode(path);
        if ((now & ~wanted) == 0)
        {
            return false;
        }
        System.IO.File.SetUnixFileMode(path, now & wanted);
        return true;
    }
}
