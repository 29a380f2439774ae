namespace TokenTally.Infrastructure.Tests;

/// <summary>The pinned bicep version and the NuGet package folder PackageDownload put it in (from the project file).</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class BicepVersionAttribute(string version, string packageRoot) : Attribute
{
    public string Version { get; } = version;

    public string PackageRoot { get; } = packageRoot;
}
