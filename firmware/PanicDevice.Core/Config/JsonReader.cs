using System.Collections;
using System.Text;

namespace PanicDevice.Core.Config
{
    /// <summary>
    /// A strict RFC 8259 JSON reader for configuration files that never throws: objects become Hashtable,
    /// arrays ArrayList, strings string, numbers <see cref="JsonNumber"/>, true/false bool, null a
    /// <see cref="JsonReader.Null"/> marker. Depth and size are bounded so a broken or hostile file
    /// cannot exhaust the device's memory. Errors name the line and column.
    /// </summary>
    public class JsonReader
    {
        /// <summary>Stands for a JSON null (a Hashtable cannot hold null values on every runtime).</summary>
        public static readonly object Null = new object();

        /// <summary>Longest document accepted, in characters.</summary>
        public const int MaxLength = 32768;
        /// <summary>Deepest nesting accepted.</summary>
        public const int MaxDepth = 16;

        // The document's UTF-16 units from ToCharArray: on nanoFramework the string indexer returns the high
        // surrogate at a low surrogate's index (nf-interpreter corlib_native_System_String.cpp, get_Chars), which
        // turned every emoji in a name into two U+FFFD; each indexer call also walks the UTF-8 from the start.
        private readonly char[] text;
        private int pos;
        private string error;

        private JsonReader(string text)
        {
            this.text = text.ToCharArray();
        }

        /// <summary>Parses a document; on failure returns null and sets <paramref name="errorMessage"/>.</summary>
        public static object Parse(string json, out string errorMessage)
        {
            errorMessage = null;
            if (json == null)
            {
                errorMessage = "no configuration text";
                return null;
            }
            if (json.Length > MaxLength)
            {
                errorMessage = "configuration is longer than " + MaxLength.ToString() + " characters";
                return null;
            }
            JsonReader r = new JsonReader(json);
            r.SkipSpace();
            object value = r.ReadValue(0);
            if (r.error == null)
            {
                r.SkipSpace();
                if (r.pos < json.Length)
                {
                    r.Fail("unexpected text after the end of the document");
                }
            }
            if (r.error != null)
            {
                errorMessage = r.error;
                return null;
            }
            return value;
        }

        private object ReadValue(int depth)
        {
            if (pos >= text.Length)
            {
                return Fail("unexpected end of the document");
            }
            char c = text[pos];
            if (c == '{')
            {
                return depth >= MaxDepth ? Fail("nested too deeply") : ReadObject(depth + 1);
            }
            if (c == '[')
            {
                return depth >= MaxDepth ? Fail("nested too deeply") : ReadArray(depth + 1);
            }
            if (c == '"')
            {
                return ReadString();
            }
            if (c == '-' || (c >= '0' && c <= '9'))
            {
                return ReadNumber();
            }
            if (Match("true"))
            {
                return true;
            }
            if (Match("false"))
            {
                return false;
            }
            if (Match("null"))
            {
                return Null;
            }
            return Fail("expected a value");
        }

        private object ReadObject(int depth)
        {
            Hashtable result = new Hashtable();
            pos++;
            SkipSpace();
            if (pos < text.Length && text[pos] == '}')
            {
                pos++;
                return result;
            }
            while (true)
            {
                SkipSpace();
                if (pos >= text.Length || text[pos] != '"')
                {
                    return Fail("expected a quoted member name");
                }
                object key = ReadString();
                if (error != null)
                {
                    return null;
                }
                if (result.Contains(key))
                {
                    // A duplicated setting is ambiguous; refuse rather than pick one silently.
                    return Fail("member \"" + (string)key + "\" appears twice");
                }
                SkipSpace();
                if (pos >= text.Length || text[pos] != ':')
                {
                    return Fail("expected ':'");
                }
                pos++;
                SkipSpace();
                object value = ReadValue(depth);
                if (error != null)
                {
                    return null;
                }
                result.Add(key, value);
                SkipSpace();
                if (pos < text.Length && text[pos] == ',')
                {
                    pos++;
                    continue;
                }
                if (pos < text.Length && text[pos] == '}')
                {
                    pos++;
                    return result;
                }
                return Fail("expected ',' or '}'");
            }
        }

        private object ReadArray(int depth)
        {
            ArrayList result = new ArrayList();
            pos++;
            SkipSpace();
            if (pos < text.Length && text[pos] == ']')
            {
                pos++;
                return result;
            }
            while (true)
            {
                SkipSpace();
                object value = ReadValue(depth);
                if (error != null)
                {
                    return null;
                }
                result.Add(value);
                SkipSpace();
                if (pos < text.Length && text[pos] == ',')
                {
                    pos++;
                    continue;
                }
                if (pos < text.Length && text[pos] == ']')
                {
                    pos++;
                    return result;
                }
                return Fail("expected ',' or ']'");
            }
        }

        private object ReadString()
        {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < text.Length)
            {
                char c = text[pos++];
                if (c == '"')
                {
                    return sb.ToString();
                }
                if (c < ' ')
                {
                    return Fail("control character inside a string");
                }
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }
                if (pos >= text.Length)
                {
                    break;
                }
                char e = text[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        int code = 0;
                        for (int k = 0; k < 4; k++)
                        {
                            int d = pos < text.Length ? HexValue(text[pos]) : -1;
                            if (d < 0)
                            {
                                return Fail("bad \\u escape");
                            }
                            code = code * 16 + d;
                            pos++;
                        }
                        sb.Append((char)code);
                        break;
                    default:
                        return Fail("unknown escape \\" + e.ToString());
                }
            }
            return Fail("string is not closed");
        }

        private object ReadNumber()
        {
            int start = pos;
            if (text[pos] == '-')
            {
                pos++;
            }
            if (pos >= text.Length || text[pos] < '0' || text[pos] > '9')
            {
                return Fail("bad number");
            }
            if (text[pos] == '0')
            {
                pos++;
            }
            else
            {
                SkipDigits();
            }
            if (pos < text.Length && text[pos] == '.')
            {
                pos++;
                if (SkipDigits() == 0)
                {
                    return Fail("bad number");
                }
            }
            if (pos < text.Length && (text[pos] == 'e' || text[pos] == 'E'))
            {
                pos++;
                if (pos < text.Length && (text[pos] == '+' || text[pos] == '-'))
                {
                    pos++;
                }
                if (SkipDigits() == 0)
                {
                    return Fail("bad number");
                }
            }
            if (pos - start > 40)
            {
                return Fail("number too long");
            }
            return new JsonNumber(new string(text, start, pos - start));
        }

        private int SkipDigits()
        {
            int n = 0;
            while (pos < text.Length && text[pos] >= '0' && text[pos] <= '9')
            {
                pos++;
                n++;
            }
            return n;
        }

        private bool Match(string word)
        {
            if (pos + word.Length > text.Length)
            {
                return false;
            }
            for (int i = 0; i < word.Length; i++)
            {
                if (text[pos + i] != word[i])
                {
                    return false;
                }
            }
            pos += word.Length;
            return true;
        }

        private void SkipSpace()
        {
            while (pos < text.Length)
            {
                char c = text[pos];
                if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                {
                    return;
                }
                pos++;
            }
        }

        /// <summary>The value of a hexadecimal digit, or -1.</summary>
        internal static int HexValue(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        private object Fail(string message)
        {
            if (error == null)
            {
                int line = 1;
                int column = 1;
                for (int i = 0; i < pos && i < text.Length; i++)
                {
                    if (text[i] == '\n')
                    {
                        line++;
                        column = 1;
                    }
                    else
                    {
                        column++;
                    }
                }
                error = "line " + line.ToString() + ", column " + column.ToString() + ": " + message;
            }
            return null;
        }
    }
}
