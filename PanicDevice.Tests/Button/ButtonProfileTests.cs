using System;
using PanicDevice.Core.Button;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Button
{
    [TestClass]
    public class ButtonProfileTests
    {
        private delegate void Spoil(ButtonProfile profile);

        /// <summary>The profile's patterns as "Action/presses/hold" in their order, e.g. "Alert/3/0".</summary>
        private static string Shapes(ButtonProfile profile)
        {
            string text = "";
            for (int i = 0; i < profile.Patterns.Length; i++)
            {
                ButtonPattern p = profile.Patterns[i];
                text += (i > 0 ? "," : "") + ButtonHarness.NameOf(p.Action) + "/" + p.Presses.ToString() + "/" + p.HoldMs.ToString();
            }
            return text;
        }

        [TestMethod]
        public void DefaultProfilesAreValidAndHaveTheDocumentedPatterns()
        {
            Assert.IsNull(ButtonProfile.Fob().Validate());
            Assert.IsNull(ButtonProfile.WallButton().Validate());
            string fob = Shapes(ButtonProfile.Fob());
            Expect.Contains("Alert/3/0", fob, "fob: triple tap alerts");
            Expect.Contains("Alert/1/3000", fob, "fob: hold 3 s alerts");
            Expect.Contains("Cancel/1/8000", fob, "fob: hold 8 s cancels");
            Assert.AreEqual("HoldUp/1/0,Test/1/10000", Shapes(ButtonProfile.WallButton()), "the wall button has exactly these two patterns");
        }

        [TestMethod]
        public void NoActionCanResetOrConfigureTheDevice()
        {
            // The names are checked on the host (ButtonActionNameHostTests): nanoFramework keeps no enum member
            // names. Here: the values a profile accepts are exactly the five alarm actions, whatever number is tried.
            int accepted = 0;
            for (int value = -10; value <= 300; value++)
            {
                ButtonProfile p = ButtonProfile.Fob();
                p.Patterns[0].Action = (ButtonAction)value;
                if (p.Validate() == null)
                {
                    accepted++;
                    Assert.IsTrue(value >= (int)ButtonAction.Alert && value <= (int)ButtonAction.DuressCancel, "action value " + value.ToString() + " was accepted");
                }
            }
            Assert.AreEqual(5, accepted, "Alert, HoldUp, Test, Cancel and DuressCancel, nothing else");
            ButtonProfile spoilt = ButtonProfile.Fob();
            spoilt.Patterns[0].Action = (ButtonAction)42;
            Expect.Contains("action must be", spoilt.Validate());
        }

        [TestMethod]
        public void BrokenProfilesAreRefusedWithAReason()
        {
            Spoil[] spoils =
            {
                p => p.Patterns = new ButtonPattern[0],
                p => p.Patterns[0].Presses = 0,
                p => p.Patterns[1].HoldMs = -1,
                p => p.Patterns[1].HoldMs = 40000,
                p => p.Patterns[1].HoldMs = 500,
                p => p.Patterns[0].Action = ButtonAction.None,
                p => p.Patterns[0].Action = ButtonAction.Fault,
                p => p.Patterns[2].HoldMs = 3000,
                p => p.Patterns[0].WindowMs = 10,
                p => p.StuckMs = 500,
                p => p.DebounceMs = 900,
            };
            string[] expected =
            {
                "at least one",
                "presses must be",
                "negative",
                "shorter than the stuck time",
                "at least the tap maximum",
                "action must be",
                "action must be",
                "same presses and hold",
                "window is too short",
                "stuck time",
                "debounce",
            };
            Assert.AreEqual(spoils.Length, expected.Length);
            for (int i = 0; i < spoils.Length; i++)
            {
                ButtonProfile p = ButtonProfile.Fob();
                spoils[i](p);
                string error = p.Validate();
                Assert.IsNotNull(error, "case " + i.ToString() + " was accepted; expected: " + expected[i]);
                Expect.Contains(expected[i], error, "case " + i.ToString());
                Expect.Throws(typeof(ArgumentException), () => new TapPatternRecognizer(p, new ButtonHarness(ButtonProfile.Fob())), "case " + i.ToString());
            }
        }
    }
}
