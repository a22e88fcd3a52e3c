namespace PanicDevice.Tests.Support;

/// <summary>Removing a test's data folder once SQLite and background writers have let go of it.</summary>
public static class TempDirectory
{
    /// <summary>
    /// Clears SQLite's pools and deletes <paramref name="dir"/>, retrying for up to 5 s: a receiver's group-commit
    /// writer can still be closing its connection (and SQLite its -wal/-shm files) just after the test ends.
    /// </summary>
    public static void Delete(string dir)
    {
        for (int attempt = 0; ; attempt++)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(100);
            }
        }
    }
}
