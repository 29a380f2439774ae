using Microsoft.Extensions.Options;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Documents;
using TokenTally.Storage.FileSystem;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Local;

public static class LocalStores
{
    /// <summary>SQLite for documents and files for blobs, under TokenTally:Local:DataPath.</summary>
    public static IServiceCollection AddLocalStores(this IServiceCollection services)
    {
        services.AddSingleton(sp => new SqliteDocumentStore(sp.GetRequiredService<IOptions<LocalOptions>>().Value.Database, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<SqliteDocumentStore>());
        services.AddSingleton<IExpiringDocumentStore>(sp => sp.GetRequiredService<SqliteDocumentStore>());
        services.AddSingleton<IBlobStore>(sp => new FileSystemBlobStore(sp.GetRequiredService<IOptions<LocalOptions>>().Value.Blobs));
        return services;
    }
}
