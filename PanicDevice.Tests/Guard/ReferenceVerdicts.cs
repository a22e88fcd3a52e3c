using System.Reflection.Metadata;

namespace PanicDevice.Tests.Guard;

/// <summary>What the guard decided about each referenced row of the checked assembly.</summary>
public sealed class ReferenceVerdicts
{
    private readonly Dictionary<EntityHandle, GuardViolation> _violations = new();
    private readonly Dictionary<EntityHandle, DeviceMapping> _mappings = new();
    private readonly Dictionary<EntityHandle, IReadOnlyList<DeviceMember>> _targets = new();
    private readonly HashSet<EntityHandle> _absentOnDevice = new();

    /// <summary>The device has the referenced member as it is.</summary>
    public void Bound(EntityHandle handle, DeviceMember target) => _targets[handle] = new[] { target };

    /// <summary>
    /// The device build would contain a different reference (or none) instead, so whatever this row depends on
    /// (its declaring type, the types in its signature) is not needed on the device.
    /// </summary>
    public void Replaced(EntityHandle handle, DeviceMapping mapping, IReadOnlyList<DeviceMember> deviceMembers)
    {
        _absentOnDevice.Add(handle);
        _mappings[handle] = mapping;
        _targets[handle] = deviceMembers;
    }

    public void Rejected(EntityHandle handle, GuardViolation violation) => _violations[handle] = violation;

    public bool IsAbsentOnDevice(EntityHandle handle) => _absentOnDevice.Contains(handle);

    public DeviceMapping MappingOf(EntityHandle handle) => _mappings.TryGetValue(handle, out var m) ? m : null;

    public IReadOnlyList<DeviceMember> TargetsOf(EntityHandle handle) => _targets.TryGetValue(handle, out var t) ? t : null;

    public IEnumerable<GuardViolation> ViolationsAmong(ISet<EntityHandle> handles) =>
        _violations.Where(v => handles.Contains(v.Key)).Select(v => v.Value);

    public IEnumerable<DeviceMapping> MappingsAmong(ISet<EntityHandle> handles) =>
        _mappings.Where(m => handles.Contains(m.Key)).Select(m => m.Value);

    public IEnumerable<DeviceMember> TargetsAmong(ISet<EntityHandle> handles) =>
        _targets.Where(t => handles.Contains(t.Key)).SelectMany(t => t.Value);
}
