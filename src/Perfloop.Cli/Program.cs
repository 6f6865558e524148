using Perfloop.Cli.Commands;

return await CommandLine.InvokeAsync(args);
