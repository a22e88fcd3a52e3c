using System.Collections;
using PanicDevice.Core.Button;
using PanicDevice.Core.Calls;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Location;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Config
{
    /// <summary>Outcome of reading a configuration: the config, or one sentence saying what to fix.</summary>
    public class DeviceConfigResult
    {
        /// <summary>The configuration; null when <see cref="Error"/> is set.</summary>
        public readonly DeviceConfig Config;
        /// <summary>What is wrong, naming the setting; never contains the key or passwords.</summary>
        public readonly string Error;

        /// <summary>Creates a result.</summary>
        public DeviceConfigResult(DeviceConfig config, string error)
        {
            Config = config;
            Error = error;
        }
    }

    /// <summary>
    /// Reads device.json into <see cref="DeviceConfig"/>. Unknown settings are refused (a misspelt
    /// setting would otherwise silently keep its default), every value is range-checked, and every
    /// error names the setting without echoing secret values.
    /// About 570 lines on purpose: the whole file format's checks in one place, in the file's order, so a reader (and
    /// the docs' table of settings) can check every setting against one list.
    /// </summary>
    public static class DeviceConfigReader
    {
        private static readonly string[] KnownSettings =
        {
            "deviceId", "key", "kind", "owner", "language", "emergencyNumber", "guardians", "gatewayNumber",
            "broker", "cellular", "wifi", "fixedLocation", "timing", "feedback", "patterns", "counterFloor", "profile", "calls", "guardianLinkUrl",
        };

        /// <summary>
        /// Parses and validates device.json as the bytes on flash: UTF-8, an optional byte-order mark, no NUL.
        /// The device reads the file this way rather than through a text reader: nanoFramework's StreamReader
        /// (System.IO.Streams 1.1.96) decodes in 512-byte blocks and turns everything after a character that
        /// straddles a block boundary into U+FFFD, and keeps the byte-order mark.
        /// </summary>
        public static DeviceConfigResult ReadUtf8(byte[] file)
        {
            if (file == null)
            {
                return Fail("device.json could not be read");
            }
            // Refused before decoding: on the device the text and its char array would take three times the file's size.
            if (file.Length > JsonReader.MaxLength * 4)
            {
                return Fail("device.json is longer than " + JsonReader.MaxLength.ToString() + " characters");
            }
            int start = file.Length >= 3 && file[0] == 0xEF && file[1] == 0xBB && file[2] == 0xBF ? 3 : 0;
            string error;
            string json = StrictUtf8.Decode(file, start, file.Length - start, out error);
            if (json == null)
            {
                return Fail("device.json is not UTF-8 text (" + error + ")");
            }
            return Read(json);
        }

        /// <summary>Parses and validates the text of device.json.</summary>
        public static DeviceConfigResult Read(string json)
        {
            string error;
            object root = JsonReader.Parse(json, out error);
            if (root == null)
            {
                return Fail("device.json is not valid JSON (" + error + ")");
            }
            Hashtable doc = root as Hashtable;
            if (doc == null)
            {
                return Fail("device.json must be a JSON object");
            }
            error = CheckKnown(doc, KnownSettings, "");
            if (error != null)
            {
                return Fail(error);
            }

            DeviceConfig c = new DeviceConfig();
            error = ReadIdentity(doc, c);
            if (error == null) error = ReadPeople(doc, c);
            if (error == null) error = ReadNetwork(doc, c);
            if (error == null) error = ReadPlaceAndTiming(doc, c);
            if (error == null) error = ReadPatterns(doc, c);
            if (error == null) error = ReadCounterFloor(doc, c);
            if (error == null) error = ReadCalls(doc, c);
            if (error != null)
            {
                return Fail(error);
            }
            return new DeviceConfigResult(c, null);
        }

        private static string ReadIdentity(Hashtable doc, DeviceConfig c)
        {
            string id = Text(doc, "deviceId", null);
            string idProblem = DeviceIds.Problem(id);
            if (idProblem != null)
            {
                return "deviceId " + idProblem;
            }
            c.DeviceId = id;
            c.Key = HexKey(Text(doc, "key", ""));
            if (c.Key == null)
            {
                // Never echo the value: it is the device's secret.
                return "key must be 64 hexadecimal characters (32 bytes)";
            }
            string kind = Text(doc, "kind", "fob");
            if (kind == "fob")
            {
                c.Kind = DeviceKind.Fob;
            }
            else if (kind == "wall")
            {
                c.Kind = DeviceKind.Wall;
                c.SilentFeedback = true;
            }
            else
            {
                return "kind must be \"fob\" or \"wall\"";
            }
            return null;
        }

        private static string ReadPeople(Hashtable doc, DeviceConfig c)
        {
            Hashtable owner = doc["owner"] as Hashtable;
            if (doc.Contains("owner") && owner == null)
            {
                return "owner must be an object with name and phone";
            }
            if (owner != null)
            {
                string problem = CheckKnown(owner, new string[] { "name", "phone" }, "owner.");
                if (problem != null)
                {
                    return problem;
                }
                c.OwnerName = Text(owner, "name", "");
                c.OwnerPhone = Text(owner, "phone", "");
                if (c.OwnerName == null || c.OwnerPhone == null)
                {
                    return "owner.name and owner.phone must be strings";
                }
                if (c.OwnerPhone.Length > 0 && !IsPhoneNumber(c.OwnerPhone))
                {
                    return "owner.phone must be a phone number (digits, optional leading +)";
                }
            }
            c.Language = Text(doc, "language", "en");
            if (c.Language != "en" && c.Language != "id")
            {
                return "language must be \"en\" or \"id\"";
            }
            c.EmergencyNumber = Text(doc, "emergencyNumber", "112");
            if (c.EmergencyNumber == null || (c.EmergencyNumber.Length > 0 && !IsPhoneNumber(c.EmergencyNumber)))
            {
                return "emergencyNumber must be a phone number, or \"\" to disable the emergency SMS";
            }
            c.Profile = Text(doc, "profile", DeviceConfig.LiveProfile);
            if (c.Profile != DeviceConfig.LiveProfile && c.Profile != DeviceConfig.TestProfile)
            {
                return "profile must be \"live\" or \"test\"";
            }
            if (c.Profile == DeviceConfig.TestProfile && DialingPlan.IsEmergencyService(c.EmergencyNumber))
            {
                // A bench unit's fallback test must reach the tester, never a real emergency service.
                return "profile \"test\" must not text an emergency service (emergencyNumber " + c.EmergencyNumber + "): set emergencyNumber to the tester's own phone, or \"\"";
            }
            c.GatewayNumber = Text(doc, "gatewayNumber", "");
            if (c.GatewayNumber == null || (c.GatewayNumber.Length > 0 && !IsPhoneNumber(c.GatewayNumber)))
            {
                return "gatewayNumber must be a phone number, or \"\" for none";
            }
            c.GuardianLinkUrl = Text(doc, "guardianLinkUrl", "");
            if (c.GuardianLinkUrl == null || (c.GuardianLinkUrl.Length > 0 && GuardianLink.BaseUrlProblem(c.GuardianLinkUrl) != null))
            {
                return "guardianLinkUrl " + (c.GuardianLinkUrl == null ? "must be text" : GuardianLink.BaseUrlProblem(c.GuardianLinkUrl)) + " (the receiver's --public-url), or \"\" for none";
            }
            if (doc.Contains("guardians"))
            {
                ArrayList list = doc["guardians"] as ArrayList;
                if (list == null || list.Count > 8)
                {
                    return "guardians must be a list of at most 8 phone numbers";
                }
                c.GuardianNumbers = new string[list.Count];
                for (int i = 0; i < list.Count; i++)
                {
                    string n = list[i] as string;
                    if (n == null || !IsPhoneNumber(n))
                    {
                        return "guardians[" + i.ToString() + "] must be a phone number";
                    }
                    c.GuardianNumbers[i] = n;
                }
            }
            return null;
        }

        private static string ReadNetwork(Hashtable doc, DeviceConfig c)
        {
            Hashtable broker = doc["broker"] as Hashtable;
            if (broker == null)
            {
                return "broker must be an object with host and port";
            }
            string problem = CheckKnown(broker, new string[] { "host", "port" }, "broker.");
            if (problem != null)
            {
                return problem;
            }
            c.BrokerHost = Text(broker, "host", "");
            if (c.BrokerHost == null || c.BrokerHost.Length == 0 || c.BrokerHost.Length > 253)
            {
                return "broker.host must be a host name or address";
            }
            int port;
            if (!Int(broker, "port", 1883, 1, 65535, out port))
            {
                return "broker.port must be a whole number 1..65535";
            }
            c.BrokerPort = port;
            Hashtable cell = doc["cellular"] as Hashtable;
            if (doc.Contains("cellular") && cell == null)
            {
                return "cellular must be an object with apn, user and password";
            }
            if (cell != null)
            {
                problem = CheckKnown(cell, new string[] { "apn", "user", "password" }, "cellular.");
                if (problem != null)
                {
                    return problem;
                }
                c.Apn = Text(cell, "apn", "internet");
                c.ApnUser = Text(cell, "user", "");
                c.ApnPassword = Text(cell, "password", "");
                if (c.Apn == null || c.ApnUser == null || c.ApnPassword == null || HasQuote(c.Apn) || HasQuote(c.ApnUser) || HasQuote(c.ApnPassword))
                {
                    // A quote would break out of the AT+CSTT command's quoted arguments.
                    return "cellular.apn, .user and .password must be strings without '\"'";
                }
            }
            Hashtable wifi = doc["wifi"] as Hashtable;
            if (doc.Contains("wifi") && wifi == null)
            {
                return "wifi must be an object with ssid and password";
            }
            if (wifi != null)
            {
                problem = CheckKnown(wifi, new string[] { "ssid", "password" }, "wifi.");
                if (problem != null)
                {
                    return problem;
                }
                c.WifiSsid = Text(wifi, "ssid", "");
                c.WifiPassword = Text(wifi, "password", "");
                if (c.WifiSsid == null || c.WifiPassword == null)
                {
                    return "wifi.ssid and wifi.password must be strings";
                }
            }
            return null;
        }

        private static string ReadPlaceAndTiming(Hashtable doc, DeviceConfig c)
        {
            Hashtable place = doc["fixedLocation"] as Hashtable;
            if (doc.Contains("fixedLocation") && place == null)
            {
                return "fixedLocation must be an object with lat, lon and accuracyM";
            }
            if (place != null)
            {
                string problem = CheckKnown(place, new string[] { "lat", "lon", "accuracyM" }, "fixedLocation.");
                if (problem != null)
                {
                    return problem;
                }
                long lat;
                long lon;
                int accuracy;
                JsonNumber latN = place["lat"] as JsonNumber;
                JsonNumber lonN = place["lon"] as JsonNumber;
                if (latN == null || !latN.TryScaled(7, out lat) || lat < -900000000 || lat > 900000000)
                {
                    return "fixedLocation.lat must be degrees between -90 and 90 with at most 7 decimals";
                }
                if (lonN == null || !lonN.TryScaled(7, out lon) || lon < -1800000000 || lon > 1800000000)
                {
                    return "fixedLocation.lon must be degrees between -180 and 180 with at most 7 decimals";
                }
                if (!Int(place, "accuracyM", 10, 0, 65534, out accuracy))
                {
                    return "fixedLocation.accuracyM must be a whole number of metres 0..65534";
                }
                LocationFix fix = new LocationFix();
                fix.LatitudeE7 = (int)lat;
                fix.LongitudeE7 = (int)lon;
                fix.AccuracyM = accuracy;
                fix.Source = LocationSource.FixedAddress;
                c.FixedLocation = fix;
            }
            if (c.Kind == DeviceKind.Wall && c.FixedLocation == null)
            {
                return "a wall button needs fixedLocation (its installed address) so alerts always carry a position";
            }
            Hashtable timing = doc["timing"] as Hashtable;
            if (doc.Contains("timing") && timing == null)
            {
                return "timing must be an object";
            }
            if (timing != null)
            {
                string problem = CheckKnown(timing, new string[] { "smsDeadlineS", "followUpIntervalS", "heartbeatIntervalS" }, "timing.");
                if (problem != null)
                {
                    return problem;
                }
                if (!Int(timing, "smsDeadlineS", 20, 5, 600, out c.SmsDeadlineS))
                {
                    return "timing.smsDeadlineS must be 5..600 seconds";
                }
                if (!Int(timing, "followUpIntervalS", 60, 10, 3600, out c.FollowUpIntervalS))
                {
                    return "timing.followUpIntervalS must be 10..3600 seconds";
                }
                if (!Int(timing, "heartbeatIntervalS", 3600, 60, 86400, out c.HeartbeatIntervalS))
                {
                    return "timing.heartbeatIntervalS must be 60..86400 seconds";
                }
            }
            Hashtable fb = doc["feedback"] as Hashtable;
            if (doc.Contains("feedback") && fb == null)
            {
                return "feedback must be an object";
            }
            if (fb != null)
            {
                string problem = CheckKnown(fb, new string[] { "silent" }, "feedback.");
                if (problem != null)
                {
                    return problem;
                }
                if (fb.Contains("silent"))
                {
                    if (!(fb["silent"] is bool))
                    {
                        return "feedback.silent must be true or false";
                    }
                    c.SilentFeedback = (bool)fb["silent"];
                }
            }
            return null;
        }

        /// <summary>
        /// "patterns": { "tapMaxMs": 1000, "list": [ { "action": "alert", "presses": 3, "holdMs": 0, "windowMs": 2000 } ] }.
        /// Only the five actions exist; the profile is validated as a whole.
        /// </summary>
        private static string ReadPatterns(Hashtable doc, DeviceConfig c)
        {
            if (!doc.Contains("patterns"))
            {
                return null;
            }
            Hashtable p = doc["patterns"] as Hashtable;
            if (p == null)
            {
                return "patterns must be an object with a list of patterns";
            }
            string problem = CheckKnown(p, new string[] { "debounceMs", "tapMaxMs", "stuckMs", "cooldownMs", "list" }, "patterns.");
            if (problem != null)
            {
                return problem;
            }
            ButtonProfile profile = c.Kind == DeviceKind.Wall ? ButtonProfile.WallButton() : ButtonProfile.Fob();
            if (!Int(p, "debounceMs", profile.DebounceMs, 0, 500, out profile.DebounceMs))
            {
                return "patterns.debounceMs must be whole milliseconds 0..500";
            }
            if (!Int(p, "tapMaxMs", profile.TapMaxMs, 50, 60000, out profile.TapMaxMs))
            {
                return "patterns.tapMaxMs must be whole milliseconds 50..60000";
            }
            if (!Int(p, "stuckMs", profile.StuckMs, 1000, 600000, out profile.StuckMs))
            {
                return "patterns.stuckMs must be whole milliseconds 1000..600000";
            }
            if (!Int(p, "cooldownMs", profile.CooldownMs, 0, 10000, out profile.CooldownMs))
            {
                return "patterns.cooldownMs must be whole milliseconds 0..10000";
            }
            ArrayList list = p["list"] as ArrayList;
            if (list == null || list.Count == 0 || list.Count > 16)
            {
                return "patterns.list must hold 1..16 patterns";
            }
            ButtonPattern[] patterns = new ButtonPattern[list.Count];
            for (int i = 0; i < list.Count; i++)
            {
                string which = "patterns.list[" + i.ToString() + "]";
                Hashtable item = list[i] as Hashtable;
                if (item == null)
                {
                    return which + " must be an object";
                }
                problem = CheckKnown(item, new string[] { "action", "presses", "holdMs", "windowMs" }, which + ".");
                if (problem != null)
                {
                    return problem;
                }
                ButtonAction action = ActionNamed(item["action"] as string);
                if (action == ButtonAction.None)
                {
                    return which + ".action must be alert, hold-up, test, cancel or duress-cancel";
                }
                int presses;
                int holdMs;
                int windowMs;
                if (!Int(item, "presses", 1, 1, 8, out presses))
                {
                    return which + ".presses must be a whole number 1..8";
                }
                if (!Int(item, "holdMs", 0, 0, 600000, out holdMs))
                {
                    return which + ".holdMs must be whole milliseconds 0..600000";
                }
                if (!Int(item, "windowMs", 0, 0, 60000, out windowMs))
                {
                    return which + ".windowMs must be whole milliseconds 0..60000";
                }
                patterns[i] = new ButtonPattern(action, presses, holdMs, windowMs);
            }
            profile.Patterns = patterns;
            problem = profile.Validate();
            if (problem != null)
            {
                return "patterns: " + problem;
            }
            c.Buttons = profile;
            return null;
        }

        /// <summary>"counterFloor": a whole number 0..MonotonicCounter.AdvanceCeiling (the flash scripts write it).</summary>
        private static string ReadCounterFloor(Hashtable doc, DeviceConfig c)
        {
            if (!doc.Contains("counterFloor"))
            {
                return null;
            }
            JsonNumber n = doc["counterFloor"] as JsonNumber;
            long v;
            if (n == null || !n.TryGetInt64(out v) || v < 0 || v > MonotonicCounter.AdvanceCeiling)
            {
                return "counterFloor must be a whole number 0.." + MonotonicCounter.AdvanceCeiling.ToString();
            }
            c.CounterFloor = (uint)v;
            return null;
        }

        private static ButtonAction ActionNamed(string name)
        {
            if (name == "alert") return ButtonAction.Alert;
            if (name == "hold-up") return ButtonAction.HoldUp;
            if (name == "test") return ButtonAction.Test;
            if (name == "cancel") return ButtonAction.Cancel;
            if (name == "duress-cancel") return ButtonAction.DuressCancel;
            return ButtonAction.None;
        }

        private static readonly string[] CallSettings =
        {
            "enabled", "callEmergency", "atOnce", "emergencyHoldS", "ringS", "confirmS", "confirmKey", "guardianHoldS", "rounds",
            "roundPauseS", "gapS", "yieldS", "speaker", "listenIn", "callBackNumbers", "listenInAfterS", "micGain", "speakerVolume",
        };

        /// <summary>"calls": { "enabled": true, "rounds": 3, "confirmKey": "1", "listenIn": true, "callBackNumbers": [ … ] } (docs/delivery.md, Calls).</summary>
        private static string ReadCalls(Hashtable doc, DeviceConfig c)
        {
            if (!doc.Contains("calls"))
            {
                return null;
            }
            Hashtable t = doc["calls"] as Hashtable;
            if (t == null)
            {
                return "calls must be an object";
            }
            string problem = CheckKnown(t, CallSettings, "calls.");
            if (problem != null)
            {
                return problem;
            }
            CallOptions o = c.Calls;
            if (!Bool(t, "enabled", ref o.Enabled) || !Bool(t, "callEmergency", ref o.CallEmergency) || !Bool(t, "atOnce", ref o.AtOnce)
                || !Bool(t, "speaker", ref o.Speaker) || !Bool(t, "listenIn", ref o.ListenIn))
            {
                return "calls.enabled, callEmergency, atOnce, speaker and listenIn must be true or false";
            }
            if (!Int(t, "emergencyHoldS", o.EmergencyHoldS, 10, 3600, out o.EmergencyHoldS)) return "calls.emergencyHoldS must be 10..3600 seconds";
            if (!Int(t, "ringS", o.RingS, 5, 120, out o.RingS)) return "calls.ringS must be 5..120 seconds";
            if (!Int(t, "confirmS", o.ConfirmS, 3, 120, out o.ConfirmS)) return "calls.confirmS must be 3..120 seconds";
            if (!Int(t, "guardianHoldS", o.GuardianHoldS, 10, 3600, out o.GuardianHoldS)) return "calls.guardianHoldS must be 10..3600 seconds";
            if (!Int(t, "rounds", o.Rounds, 1, 10, out o.Rounds)) return "calls.rounds must be 1..10";
            if (!Int(t, "roundPauseS", o.RoundPauseS, 0, 600, out o.RoundPauseS)) return "calls.roundPauseS must be 0..600 seconds";
            if (!Int(t, "gapS", o.GapS, 0, 120, out o.GapS)) return "calls.gapS must be 0..120 seconds";
            if (!Int(t, "yieldS", o.YieldS, 1, 600, out o.YieldS)) return "calls.yieldS must be 1..600 seconds";
            if (!Int(t, "listenInAfterS", o.ListenInAfterS, 0, 86400, out o.ListenInAfterS)) return "calls.listenInAfterS must be 0..86400 seconds";
            if (!Int(t, "micGain", o.MicGain, 0, 15, out o.MicGain)) return "calls.micGain must be 0..15";
            if (!Int(t, "speakerVolume", o.SpeakerVolume, 0, 100, out o.SpeakerVolume)) return "calls.speakerVolume must be 0..100";
            o.ConfirmKey = Text(t, "confirmKey", o.ConfirmKey);
            if (o.ConfirmKey == null || o.ConfirmKey.Length != 1 || "0123456789*#".IndexOf(o.ConfirmKey) < 0)
            {
                return "calls.confirmKey must be one of \"0\"..\"9\", \"*\" or \"#\"";
            }
            if (t.Contains("callBackNumbers"))
            {
                ArrayList list = t["callBackNumbers"] as ArrayList;
                if (list == null || list.Count > 8)
                {
                    return "calls.callBackNumbers must be a list of at most 8 phone numbers";
                }
                o.CallBackNumbers = new string[list.Count];
                for (int i = 0; i < list.Count; i++)
                {
                    string n = list[i] as string;
                    if (n == null || !IsPhoneNumber(n))
                    {
                        return "calls.callBackNumbers[" + i.ToString() + "] must be a phone number";
                    }
                    o.CallBackNumbers[i] = n;
                }
            }
            if (o.Enabled && (!o.CallEmergency || c.EmergencyNumber.Length == 0) && c.GuardianNumbers.Length == 0)
            {
                return "calls.enabled needs someone to call: an emergencyNumber or guardians";
            }
            return o.Validate();
        }

        private static bool Bool(Hashtable t, string name, ref bool value)
        {
            if (!t.Contains(name))
            {
                return true;
            }
            if (!(t[name] is bool))
            {
                return false;
            }
            value = (bool)t[name];
            return true;
        }

        private static string CheckKnown(Hashtable table, string[] known, string prefix)
        {
            foreach (object key in table.Keys)
            {
                bool found = false;
                for (int i = 0; i < known.Length; i++)
                {
                    if ((string)key == known[i])
                    {
                        found = true;
                        break;
                    }
                }
                if (!found)
                {
                    return "unknown setting \"" + prefix + (string)key + "\" (check its spelling)";
                }
            }
            return null;
        }

        /// <summary>The string value, the default when absent, or null when present but not a string.</summary>
        private static string Text(Hashtable t, string name, string absent)
        {
            if (!t.Contains(name))
            {
                return absent;
            }
            return t[name] as string;
        }

        private static bool Int(Hashtable t, string name, int absent, int min, int max, out int value)
        {
            value = absent;
            if (!t.Contains(name))
            {
                return true;
            }
            JsonNumber n = t[name] as JsonNumber;
            long v;
            if (n == null || !n.TryGetInt64(out v) || v < min || v > max)
            {
                return false;
            }
            value = (int)v;
            return true;
        }

        private static bool IsPhoneNumber(string s)
        {
            return PhoneNumbers.IsValid(s);
        }

        private static bool HasQuote(string s)
        {
            // Not s.IndexOf('"'): on nanoFramework IndexOf(char) stops at the first character outside the BMP
            // (nf-interpreter corlib_native_System_String.cpp IndexOf), so a quote after an emoji went unseen.
            char[] chars = s.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (chars[i] == '"')
                {
                    return true;
                }
            }
            return false;
        }

        private static byte[] HexKey(string hex)
        {
            if (hex == null || hex.Length != FrameCodec.KeyLength * 2)
            {
                return null;
            }
            byte[] key = new byte[FrameCodec.KeyLength];
            for (int i = 0; i < key.Length; i++)
            {
                int hi = JsonReader.HexValue(hex[2 * i]);
                int lo = JsonReader.HexValue(hex[2 * i + 1]);
                if (hi < 0 || lo < 0)
                {
                    return null;
                }
                key[i] = (byte)((hi << 4) | lo);
            }
            return key;
        }

        private static DeviceConfigResult Fail(string error)
        {
            return new DeviceConfigResult(null, error);
        }
    }
}
