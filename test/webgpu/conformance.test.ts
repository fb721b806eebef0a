// The conformance tests (IG, Guided IG, IG2, Blur IG against the reference implementations' outputs) on
// webgpu. Without a GPU this is Dawn's OpenGL ES backend on Mesa's llvmpipe (PATHLENS_BACKEND=webgpu
// finds it by itself); a machine with neither fails here, saying why.
process.env.PATHLENS_TEST_BACKEND = 'webgpu';
await import('../conformance/ig.test.js');
await import('../conformance/guided-ig.test.js');
await import('../conformance/ig2.test.js');
await import('../conformance/blur-ig.test.js');
