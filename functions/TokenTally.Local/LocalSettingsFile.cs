using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace TokenTally.Local;

/// <summary>The <c>Values</c> of a local.settings.json in the working directory, read as the Functions host reads them (<c>__</c> nests).</summary>
public static class LocalSettingsFile
{
    public static void AddTo(ConfigurationManager configuration)
    {
        var path = Path.Combine(Directory.GetCurrentDirectory(), "local.settings.json");
        if (!File.Exists(path))
        {
            return;
        }

        var values = new ConfigurationBuilder().AddJsonFile(path, optional: true).Build().GetSection("Values");
        var settings = values.GetChildren()
            .Where(setting => !string.IsNullOrEmpty(setting.Value))
            .Select(setting => KeyValuePair.Create(setting.Key.Replace("__", ":", StringComparison.Ordinal), setting.Value))
            .ToList();

        // Below environment variables and arguments, so those still win, as with the Functions host.
        var sources = ((IConfigurationBuilder)configuration).Sources;
        var firstEnvironmentSource = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource);
        sources.Insert(firstEnvironmentSource < 0 ? sources.Count : firstEnvironmentSource, new MemoryConfigurationSource { InitialData = settings });
    }
}
