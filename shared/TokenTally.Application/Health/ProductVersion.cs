using System.Reflection;

namespace TokenTally.Application.Health;

/// <summary>The product version, from the assembly's informational version without the source revision.</summary>
public static class ProductVersion
{
    public static string Value { get; } =
        typeof(ProductVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
