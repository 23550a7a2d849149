% Makes scatnetlight_t_colour.npz's numbers: ScatNetLight (commit 63e76a8, GNU Octave 7.3) translation-only
% ('t') Caltech colour operator on one uniform-noise 64x64 plane: J=4, Q=2, third layer copied from the J=6 luma
% operator. Run from anywhere with ScatNetLight extracted at /tmp/snl; then convert the .mat with scipy.io.loadmat.
addpath(genpath('/tmp/snl'));
options.Layers.size = 256; options.Layers.size_color = 64; options.Layers.J = 6;
options.Layers.Type_scattering = 't';
[Wop, Wop_color] = create_config_layer_per_layer_caltech(options);
rand('seed', 3);
x = single(255 * rand(64, 64));
S = scat(x, Wop_color);
F = format_scat(S, 'order_table');
v = [F{1}(:); F{2}(:); F{3}(:)];
sizes = [numel(F{1}), numel(F{2}), numel(F{3})];
save('-v7', '/tmp/oct/t_colour.mat', 'x', 'v', 'sizes');
disp(sizes);
