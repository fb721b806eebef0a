import * as tf from '@tensorflow/tfjs';

/**
 * The bench's architectures with random weights, built with tfjs-layers. bench/torch_gradients.py
 * builds the same ones in PyTorch. Each outputs softmax scores [B, classes].
 */
export interface BenchModel {
  readonly name: string;
  readonly inputShape: number[];
  readonly model: tf.LayersModel;
}

const conv = (filters: number, kernelSize: number, strides = 1) =>
  tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false });
const bn = () => tf.layers.batchNormalization({ epsilon: 1e-5 });
const relu6 = () => tf.layers.reLU({ maxValue: 6 });

export function cnn32(): BenchModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return { name: 'cnn32', inputShape: [32, 32, 3], model: m };
}

export function mlp784(): BenchModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 256, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return { name: 'mlp784', inputShape: [784], model: m };
}

/** MobileNet v1, α = 1: conv-BN-ReLU6, 13 × [depthwise 3×3-BN-ReLU6, 1×1 conv-BN-ReLU6], GAP, dense 1000. */
export function mobilenet224(): BenchModel {
  const blocks: Array<[number, number]> = [
    [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
    [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
  ];
  const input = tf.input({ shape: [224, 224, 3] });
  let y = relu6().apply(bn().apply(conv(32, 3, 2).apply(input))) as tf.SymbolicTensor;
  for (const [filters, stride] of blocks) {
    y = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
    y = relu6().apply(bn().apply(y)) as tf.SymbolicTensor;
    y = relu6().apply(bn().apply(conv(filters, 1).apply(y))) as tf.SymbolicTensor;
  }
  y = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1000, activation: 'softmax' }).apply(y) as tf.SymbolicTensor;
  return { name: 'mobilenet224', inputShape: [224, 224, 3], model: tf.model({ inputs: input, outputs: out }) };
}

/** ResNet-10: conv 7×7/2-BN-ReLU, maxpool 3/2, four basic blocks (64..512; projection shortcuts where the shape changes), GAP, dense 1000. */
export function resnet10(): BenchModel {
  const input = tf.input({ shape: [224, 224, 3] });
  let y = tf.layers.reLU().apply(bn().apply(conv(64, 7, 2).apply(input))) as tf.SymbolicTensor;
  y = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(y) as tf.SymbolicTensor;
  let channels = 64;
  for (const [filters, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
    let branch = tf.layers.reLU().apply(bn().apply(conv(filters, 3, stride).apply(y))) as tf.SymbolicTensor;
    branch = bn().apply(conv(filters, 3).apply(branch)) as tf.SymbolicTensor;
    const shortcut = stride !== 1 || filters !== channels ? (bn().apply(conv(filters, 1, stride).apply(y)) as tf.SymbolicTensor) : y;
    y = tf.layers.reLU().apply(tf.layers.add().apply([branch, shortcut])) as tf.SymbolicTensor;
    channels = filters;
  }
  y = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1000, activation: 'softmax' }).apply(y) as tf.SymbolicTensor;
  return { name: 'resnet10_224', inputShape: [224, 224, 3], model: tf.model({ inputs: input, outputs: out }) };
}
