// The one file where the two test frameworks differ. Every shared test file (the ones listed in
// OnDevice/*/PanicDevice.Tests.OnDevice.*.nfproj) is compiled twice: by the host suite against MSTest, whose
// namespace PanicDevice.Tests.csproj imports globally, and on nanoFramework against nanoFramework.TestFramework
// 3.0.77, whose namespace this file imports. Both frameworks find [TestClass]/[TestMethod]/[DataRow] by their own
// attribute types, so the attributes keep their names and only the namespace differs.
#if NANOFRAMEWORK_1_0
global using nanoFramework.TestFramework;
#endif

using System;

namespace PanicDevice.Tests.Support
{
    /// <summary>
    /// Which runtime runs the test. Only for tests that pin a platform fact Core is written around (see
    /// docs/nanoframework-runtime.md); a test of Core's own behaviour must expect the same result on both.
    /// </summary>
    public static class TestRuntime
    {
#if NANOFRAMEWORK_1_0
        /// <summary>True on nanoFramework's interpreter (nf-test, a board), false on the host (MSTest on .NET).</summary>
        public static readonly bool IsNanoFramework = true;
#else
        /// <summary>True on nanoFramework's interpreter (nf-test, a board), false on the host (MSTest on .NET).</summary>
        public static readonly bool IsNanoFramework = false;
#endif
    }

    /// <summary>
    /// Assertions that nanoFramework.TestFramework 3.0.77 and MSTest 4 spell differently or only one of them has
    /// (exceptions, failure, substrings, byte arrays, tolerance). Built on IsTrue/AreEqual alone, which both have
    /// with the same meaning, so it needs no #if. The nanoFramework launcher calls test methods without an
    /// instance and runs [Setup] once per class, not per test: shared tests keep no instance state and set up
    /// their own fixture in each method.
    /// </summary>
    public static class Expect
    {
        /// <summary>Fails unless <paramref name="action"/> throws exactly <paramref name="type"/> (not a subclass); returns it.</summary>
        public static Exception Throws(Type type, Action action, string message = "")
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                if (e.GetType() == type)
                {
                    return e;
                }
                Fail("expected " + type.Name + " but " + e.GetType().Name + " was thrown (" + e.Message + ") " + message);
            }
            Fail("expected " + type.Name + " but nothing was thrown " + message);
            return null;
        }

        /// <summary>Fails the test with the message (nanoFramework.TestFramework has no Assert.Fail).</summary>
        public static void Fail(string message)
        {
            Assert.IsTrue(false, message);
        }

        /// <summary>Fails unless <paramref name="text"/> contains <paramref name="part"/> (ordinal).</summary>
        public static void Contains(string part, string text, string message = "")
        {
            if (text == null || Find(text, part) < 0)
            {
                Fail("\"" + Shorten(text) + "\" does not contain \"" + part + "\" " + message);
            }
        }

        /// <summary>Fails if <paramref name="text"/> contains <paramref name="part"/> (ordinal).</summary>
        public static void DoesNotContain(string part, string text, string message = "")
        {
            if (text != null && Find(text, part) >= 0)
            {
                Fail("\"" + Shorten(text) + "\" contains \"" + part + "\" " + message);
            }
        }

        /// <summary>Fails unless <paramref name="text"/> starts with <paramref name="prefix"/> (ordinal).</summary>
        public static void StartsWith(string prefix, string text, string message = "")
        {
            if (text == null || Find(text, prefix) != 0)
            {
                Fail("\"" + Shorten(text) + "\" does not start with \"" + prefix + "\" " + message);
            }
        }

        /// <summary>Byte arrays compared as lower-case hex, so a failure shows both values.</summary>
        public static void SameBytes(byte[] expected, byte[] actual, string message = "")
        {
            Assert.AreEqual(expected == null ? "(null)" : Hex.Of(expected), actual == null ? "(null)" : Hex.Of(actual), message);
        }

        /// <summary>Fails unless |expected - actual| &lt;= delta (nanoFramework has no AreEqual with a delta).</summary>
        public static void Near(double expected, double actual, double delta, string message = "")
        {
            double d = expected - actual;
            if (d < 0)
            {
                d = -d;
            }
            if (!(d <= delta))
            {
                Fail("expected " + expected.ToString() + " +/- " + delta.ToString() + " but got " + actual.ToString() + " " + message);
            }
        }

        /// <summary>
        /// Ordinal search over UTF-16 units. Not string.IndexOf: on nanoFramework it gives -1 for anything after a
        /// character outside the BMP (an emoji), so a text check on the device would pass or fail wrongly.
        /// </summary>
        private static int Find(string text, string part)
        {
            char[] t = text.ToCharArray();
            char[] p = part.ToCharArray();
            for (int i = 0; i + p.Length <= t.Length; i++)
            {
                int k = 0;
                while (k < p.Length && t[i + k] == p[k])
                {
                    k++;
                }
                if (k == p.Length)
                {
                    return i;
                }
            }
            return -1;
        }

        private static string Shorten(string text)
        {
            if (text == null)
            {
                return "(null)";
            }
            return text.Length <= 300 ? text : text.Substring(0, 300) + "...";
        }
    }
}
