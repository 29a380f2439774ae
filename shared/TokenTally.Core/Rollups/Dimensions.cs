namespace TokenTally.Core.Rollups;

/// <summary>What users slice costs by.</summary>
public enum Dimension
{
    /// <summary>The project of the sending key.</summary>
    Project,

    /// <summary>The calling service.</summary>
    Service,

    /// <summary>The service's release.</summary>
    Release,

    /// <summary>The deployment environment.</summary>
    Environment,

    /// <summary>The canonical provider.</summary>
    Provider,

    /// <summary>The canonical model.</summary>
    Model,

    /// <summary>chat, embedding, …</summary>
    Operation,

    /// <summary>The cost centre.</summary>
    Department,

    /// <summary>The end user.</summary>
    User,

    /// <summary>The A/B experiment.</summary>
    Experiment,

    /// <summary>The experiment's variant.</summary>
    Variant,

    /// <summary>ok or error.</summary>
    Status,
}

/// <summary>
/// A rollup cube: the dimensions its rows are keyed by. Separate cubes keep cardinality bounded:
/// the user cube does not multiply users by models, and it keeps only the top users of each
/// hour, folding the rest into <see cref="Cube.Other"/>.
/// </summary>
/// <param name="Name">A short stable name, part of row ids.</param>
/// <param name="Dimensions">The key dimensions, in order.</param>
/// <param name="TopDimension">The dimension whose values past <c>topN</c> fold into <see cref="Other"/>, if any.</param>
public sealed record Cube(string Name, IReadOnlyList<Dimension> Dimensions, Dimension? TopDimension = null)
{
    /// <summary>The value that stands for "everything past the top N".</summary>
    public const string Other = "(other)";

    /// <summary>The value that stands for "not given" (a call without a department, …).</summary>
    public const string None = "(none)";

    /// <summary>Totals per tenant and hour.</summary>
    public static Cube Total { get; } = new("total", []);

    /// <summary>Model-level usage: everything but the user and experiment dimensions.</summary>
    public static Cube Usage { get; } = new("usage", [Dimension.Project, Dimension.Service, Dimension.Release, Dimension.Environment, Dimension.Provider, Dimension.Model, Dimension.Operation, Dimension.Status, Dimension.Department]);

    /// <summary>User-level usage, top users only.</summary>
    public static Cube Users { get; } = new("users", [Dimension.Project, Dimension.Department, Dimension.User], Dimension.User);

    /// <summary>Experiment variants by model.</summary>
    public static Cube Experiments { get; } = new("experiments", [Dimension.Project, Dimension.Experiment, Dimension.Variant, Dimension.Provider, Dimension.Model, Dimension.Status]);

    /// <summary>Every cube, smallest first.</summary>
    public static IReadOnlyList<Cube> All { get; } = [Total, Usage, Users, Experiments];

    /// <summary>The smallest cube that has every one of <paramref name="dimensions"/>, or null.</summary>
    public static Cube? Covering(IEnumerable<Dimension> dimensions)
    {
        var needed = dimensions.ToHashSet();
        return All.Where(c => needed.All(c.Dimensions.Contains)).OrderBy(c => c.Dimensions.Count).FirstOrDefault();
    }

    /// <summary>Finds a cube by name.</summary>
    public static Cube? Named(string name) => All.FirstOrDefault(c => c.Name == name);
}
