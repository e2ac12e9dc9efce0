/** A button that is never a form submit by accident; `variant` only changes its look. */
import type { ButtonHTMLAttributes } from 'preact';

export type ButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'class'> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  class?: string;
};

export function Button({
  variant = 'secondary',
  type = 'button',
  class: extra,
  ...rest
}: ButtonProps) {
  return <button type={type} class={`btn btn-${variant}${extra ? ` ${extra}` : ''}`} {...rest} />;
}
