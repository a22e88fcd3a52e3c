using System.Reflection;
using System.Reflection.Emit;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// Walks a method body's IL and yields the metadata tokens its instructions name (calls, field accesses,
/// type operands, ldtoken, calli signatures), so each reference can be traced to the method that uses it.
/// </summary>
public static class ILTokens
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null))
        .ToDictionary(o => o.Value);

    /// <summary>Token and whether the instruction stores to it (stfld/stsfld), which matters for field-to-property mapping.</summary>
    public static IEnumerable<(int Token, bool IsStore)> Read(byte[] il)
    {
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE)
                value = unchecked((short)(0xFE00 | il[i++]));
            if (!OpCodesByValue.TryGetValue(value, out var opCode))
                throw new InvalidOperationException($"unknown IL opcode 0x{value:X} at offset {i - 1}");
            switch (opCode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    var count = BitConverter.ToInt32(il, i);
                    i += 4 + 4 * count;
                    break;
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                case OperandType.InlineSig:
                    var isStore = opCode == OpCodes.Stfld || opCode == OpCodes.Stsfld;
                    yield return (BitConverter.ToInt32(il, i), isStore);
                    i += 4;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
