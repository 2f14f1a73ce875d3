/**
 * The lowest layer: rules every reader and writer of user-named files follows, whatever the file
 * holds (images, weights, data sets, run folders).
 */
package io.resnet4j.files;
