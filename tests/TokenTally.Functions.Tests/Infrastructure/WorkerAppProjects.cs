using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Infrastructure;

public static class WorkerAppProjects
{
    /// <summary>A new tenant and project of this test's own, with a key of <paramref name="scopes"/>.</summary>
    public static async Task<TestProject> NewProjectAsync(this WorkerApp app, params string[] scopes)
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        const string project = "app";
        using var create = app.Admin(HttpMethod.Post, "/api/v1/admin/projects", new { tenant, project });
        var created = await app.Api.SendAsync(create, TestContext.Current.CancellationToken);
        Assert.True(created.IsSuccessStatusCode, $"Creating a project answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        var testProject = new TestProject(app, tenant, project);
        (testProject.KeyId, testProject.Key) = await testProject.IssueKeyAsync(scopes.Length == 0 ? ["ingest", "read:project"] : scopes);
        return testProject;
    }
}
